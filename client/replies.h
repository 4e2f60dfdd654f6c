// How the server's informational replies read to a person: NODES, STATS, JOINED, LEFT, GROUPS and
// INFO become one status line each. Pure functions, shared by both front ends through the App.
#pragma once

#include <string>

#include "client/session.h"

namespace sb::client {

// The status line for an event of kind nodes, stats, joined, left, groups or info ("" for others).
std::string describe_reply(const ServerEvent& ev);

// "Groups (2): #dev=1, #ops=2" for GROUPS' "#g=n" list: sorted, each escaped.
std::string describe_groups(std::string_view list);

}  // namespace sb::client
