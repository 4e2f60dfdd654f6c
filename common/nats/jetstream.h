// The little of JetStream that the cluster speaks, as plain functions over text: the JSON of the
// stream and consumer requests it sends to $JS.API, the fields it reads back from replies and
// publish acknowledgements, the metadata in a pushed message's $JS.ACK reply subject, and the
// mapping of node ids to KV keys. Socket-free; the JSON reader knows only the flat shapes
// nats-server answers with, not JSON in general.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sb::nats {

// A KV bucket's stream: "KV_<bucket>" over "$KV.<bucket>.>", one value per key, `max_age_ns` 0
// for none. The same settings a NATS KV client creates (history 1, rollups allowed).
std::string kv_stream_config(std::string_view bucket, uint64_t max_age_ns, unsigned replicas);
// An ephemeral push consumer delivering the last value of every key and then every change, to
// `deliver_subject`, with no acks: a watcher of the bucket.
std::string kv_watch_consumer(std::string_view bucket, std::string_view deliver_subject);

// One watch of a KV bucket appended to `out`: the subscription `sid` moved to `deliver_subject` (a
// push consumer delivers only to an exact subscription of its deliver subject, and a fresh subject
// per attempt leaves a consumer of an earlier attempt delivering to nobody), then the request that
// creates the watcher, answered on `reply`.
void write_kv_watch(std::string* out, std::string_view bucket, std::string_view deliver_subject,
                    std::string_view sid, std::string_view reply);

// What a $JS.API reply or a publish acknowledgement said.
struct ApiReply {
  bool ok = false;          // no "error" object
  uint64_t seq = 0;         // pub ack: the stored message's sequence
  uint64_t num_pending = 0;  // consumer create: messages still to be delivered
  uint64_t err_code = 0;    // JetStream's error code (10071: wrong last sequence)
  std::string_view description;
};
ApiReply parse_api_reply(std::string_view json);
// JetStream's code for "Nats-Expected-Last-Subject-Sequence did not match".
inline constexpr uint64_t kErrWrongLastSequence = 10071;
// The stream already exists (with other settings): keep it.
inline constexpr uint64_t kErrStreamNameInUse = 10058;
// "wrong last sequence: 42" -> 42; 0 when the text does not say.
uint64_t wrong_last_sequence(std::string_view description);

// The unsigned number after "\"key\":" in `json`; false when absent.
bool json_uint(std::string_view json, std::string_view key, uint64_t* out);
// The string after "\"key\":" (escapes left as they are); empty when absent.
std::string_view json_string(std::string_view json, std::string_view key);

// From "$JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<time>.<pending>"
// (and the longer form with domain and account hash): false when `reply` is not one.
struct AckMetadata {
  uint64_t stream_seq = 0;
  uint64_t pending = 0;
};
bool parse_ack_reply(std::string_view reply, AckMetadata* out);

// "KV-Operation: DEL" of the key at `subject` ($KV.<bucket>.<key>), stored only while the key's
// last record is the one at `expected_seq` (so it never deletes a successor's record); no reply.
void write_kv_delete(std::string* out, std::string_view subject, uint64_t expected_seq);

// A node id as a KV key (one subject's tail): the id itself when its '.'-tokens are all
// non-empty, else "=" and its hex bytes ('=' never occurs in an id, so the mapping is one-to-one).
std::string kv_key(std::string_view id);
// The inverse; false for a key kv_key cannot have produced.
bool id_from_kv_key(std::string_view key, std::string* id);
// Any text as one subject token: "=" and its hex bytes (id_from_kv_key reads it back). Where a key
// holds two names, the first is written so and the rest of the key is the second.
std::string kv_hex_token(std::string_view text);

}  // namespace sb::nats
