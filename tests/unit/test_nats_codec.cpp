// The NATS client protocol codec (common/nats): the parser in every split of a stream, malformed
// input, header lookup, the writers' exact bytes, and the JetStream reply and key helpers.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/nats/jetstream.h"
#include "common/nats/nats_parser.h"
#include "common/nats/nats_writer.h"

using namespace sb::nats;

namespace {

// Feeds `stream` in two pieces split at `split` and describes every event.
std::vector<std::string> events_of(const std::string& stream, size_t split, std::string* left) {
  Parser p;
  std::string buf;
  std::vector<std::string> seen;
  auto drain = [&] {
    for (;;) {
      Event ev = p.next(buf);
      std::string tag = std::to_string(static_cast<int>(ev.kind));
      if (ev.kind == Event::Kind::msg)
        tag += ":" + std::string(ev.msg.subject) + "|" + std::string(ev.msg.sid) + "|" + std::string(ev.msg.reply) +
               "|" + std::string(ev.msg.headers) + "|" + std::string(ev.msg.payload);
      if (ev.kind == Event::Kind::err || ev.kind == Event::Kind::info || ev.kind == Event::Kind::error)
        tag += ":" + std::string(ev.text);
      buf.erase(0, ev.consumed);  // the event's views die here
      if (ev.kind == Event::Kind::need_more) break;
      seen.push_back(tag);
      if (ev.kind == Event::Kind::error) break;
    }
  };
  buf += stream.substr(0, split);
  drain();
  buf += stream.substr(split);
  drain();
  *left = buf;
  return seen;
}

}  // namespace

TEST(NatsParser, SameEventsInAnySplit) {
  const std::string stream =
      "INFO {\"server_id\":\"x\",\"max_payload\":1048576}\r\n+OK\r\nPONG\r\nMSG node.a 1 5\r\nhe\nlo\r\n"
      "PING\r\nMSG node.all 2 reply.to 0\r\n\r\n"
      "HMSG _INBOX.s.7 9 $JS.ACK.KV_x.c.1.5.2.1700.0 18 21\r\nNATS/1.0\r\nA: b\r\n\r\nabc\r\n"
      "HMSG r 3 16 16\r\nNATS/1.0 503\r\n\r\n\r\n"
      "-ERR 'Unknown Protocol Operation'\r\n";
  const std::vector<std::string> want = {
      "4:{\"server_id\":\"x\",\"max_payload\":1048576}",
      "5",
      "3",
      "1:node.a|1|||he\nlo",
      "2",
      "1:node.all|2|reply.to||",
      "1:_INBOX.s.7|9|$JS.ACK.KV_x.c.1.5.2.1700.0|NATS/1.0\r\nA: b\r\n\r\n|abc",
      "1:r|3||NATS/1.0 503\r\n\r\n|",
      "6:Unknown Protocol Operation",
  };
  for (size_t split = 0; split <= stream.size(); ++split) {
    std::string left;
    ASSERT_EQ(events_of(stream, split, &left), want) << "split at " << split;
    EXPECT_TRUE(left.empty());
  }
}

TEST(NatsParser, MalformedInputIsAnError) {
  const char* bad[] = {
      "MSG node.a 1 x\r\n",             // size not a number
      "MSG node.a 1 2\r\nabXY",         // body not followed by CRLF
      "MSG node.a\r\n",                 // too few tokens
      "MSG a b c d 5\r\n",              // too many tokens
      "HMSG a 1 9 3\r\n",               // header size above total
      "HMSG a 1 3\r\n",                 // one size only
      "MSG a 1 999999999999\r\n",       // beyond kMaxPayload
      "WHAT\r\n",                       // unknown verb
  };
  for (const char* in : bad) {
    Parser p;
    Event ev = p.next(in);
    EXPECT_EQ(ev.kind, Event::Kind::error) << in;
    EXPECT_FALSE(ev.text.empty());
  }
  Parser p;
  EXPECT_EQ(p.next(std::string(Parser::kMaxLine + 1, 'x')).kind, Event::Kind::error);
}

TEST(NatsParser, LowercaseVerbsAndTabs) {
  Parser p;
  Event ev = p.next("msg\tsub  7\t3\r\nabc\r\n");
  ASSERT_EQ(ev.kind, Event::Kind::msg);
  EXPECT_EQ(ev.msg.subject, "sub");
  EXPECT_EQ(ev.msg.sid, "7");
  EXPECT_EQ(ev.msg.payload, "abc");
  EXPECT_EQ(p.next("ping\r\n").kind, Event::Kind::ping);
}

TEST(NatsHeaders, ValueAndStatus) {
  const std::string h = "NATS/1.0\r\nKV-Operation: DEL\r\nNats-Seq:12 \r\n\r\n";
  EXPECT_EQ(header_value(h, "KV-Operation"), "DEL");
  EXPECT_EQ(header_value(h, "Nats-Seq"), "12");
  EXPECT_EQ(header_value(h, "Missing"), "");
  EXPECT_EQ(header_value(h, "KV"), "");
  EXPECT_EQ(header_status(h), 0);
  EXPECT_EQ(header_status("NATS/1.0 503\r\n\r\n"), 503);
  EXPECT_EQ(header_status("NATS/1.0 100 FlowControl Request\r\n\r\n"), 100);
  EXPECT_EQ(header_status(""), 0);
}

TEST(NatsWriter, ExactBytes) {
  std::string s;
  write_sub(&s, "sb.srv.a", "2");
  write_unsub(&s, "2");
  write_ping(&s);
  write_pong(&s);
  write_pub(&s, "sb.all", "", "x y");
  write_pub(&s, "$JS.API.X", "_INBOX.a.1", "");
  EXPECT_EQ(s, "SUB sb.srv.a 2\r\nUNSUB 2\r\nPING\r\nPONG\r\nPUB sb.all 3\r\nx y\r\nPUB $JS.API.X _INBOX.a.1 0\r\n\r\n");
  s.clear();
  write_hpub(&s, "$KV.b.k", "_INBOX.a.2", "Nats-Expected-Last-Subject-Sequence: 0\r\n", "srv");
  EXPECT_EQ(s, "HPUB $KV.b.k _INBOX.a.2 52 55\r\nNATS/1.0\r\nNats-Expected-Last-Subject-Sequence: 0\r\n\r\nsrv\r\n");
  s.clear();
  write_hpub(&s, "k", "", "", "");
  EXPECT_EQ(s, "HPUB k 12 12\r\nNATS/1.0\r\n\r\n\r\n");
  s.clear();
  write_connect(&s, {"sb \"1\"", false});
  EXPECT_EQ(s.rfind("CONNECT {", 0), 0u);
  EXPECT_NE(s.find("\"headers\":true"), std::string::npos);
  EXPECT_NE(s.find("\"no_responders\":true"), std::string::npos);
  EXPECT_NE(s.find("\"verbose\":false"), std::string::npos);
  EXPECT_NE(s.find("\"echo\":false"), std::string::npos);
  EXPECT_NE(s.find("\"name\":\"sb \\\"1\\\"\"}\r\n"), std::string::npos);
}

TEST(NatsWriter, PubLineAndSubjects) {
  PubLine a("sb.srv.x", "", 12);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a.view(), "PUB sb.srv.x 12\r\n");
  PubLine b("s", "r.1", 0);
  EXPECT_EQ(b.view(), "PUB s r.1 0\r\n");
  EXPECT_FALSE(PubLine(std::string(PubLine::kMaxSubject + 1, 'a'), "", 1).ok());
  EXPECT_TRUE(is_valid_subject("sb.srv.127.0.0.1:2004"));
  EXPECT_FALSE(is_valid_subject(""));
  EXPECT_FALSE(is_valid_subject("a..b"));
  EXPECT_FALSE(is_valid_subject("a.*"));
  EXPECT_FALSE(is_valid_subject("a b"));
  EXPECT_FALSE(is_valid_subject(".a"));
}

TEST(JetStream, ApiReplies) {
  ApiReply ok = parse_api_reply("{\"stream\":\"KV_sb_ids\",\"seq\":42}");
  EXPECT_TRUE(ok.ok);
  EXPECT_EQ(ok.seq, 42u);
  ApiReply bad = parse_api_reply(
      "{\"error\":{\"code\":400,\"err_code\":10071,\"description\":\"wrong last sequence: 7\"},\"stream\":\"x\",\"seq\":0}");
  EXPECT_FALSE(bad.ok);
  EXPECT_EQ(bad.err_code, kErrWrongLastSequence);
  EXPECT_EQ(wrong_last_sequence(bad.description), 7u);
  EXPECT_EQ(wrong_last_sequence("no number"), 0u);
  ApiReply consumer = parse_api_reply("{\"type\":\"x\",\"num_pending\":3,\"name\":\"c\"}");
  EXPECT_TRUE(consumer.ok);
  EXPECT_EQ(consumer.num_pending, 3u);
  EXPECT_FALSE(parse_api_reply("").ok);
  uint64_t v = 0;
  EXPECT_FALSE(json_uint("{\"a\":\"1\"}", "a", &v));
  EXPECT_EQ(json_string("{\"a\":\"x\\\"y\",\"b\":1}", "a"), "x\\\"y");
}

TEST(JetStream, AckReplyMetadata) {
  AckMetadata m;
  ASSERT_TRUE(parse_ack_reply("$JS.ACK.KV_sb_ids.c1.1.57.3.1700000000.4", &m));
  EXPECT_EQ(m.stream_seq, 57u);
  EXPECT_EQ(m.pending, 4u);
  ASSERT_TRUE(parse_ack_reply("$JS.ACK.dom.acc.KV_sb_ids.c1.1.58.3.1700000000.0.rnd", &m));
  EXPECT_EQ(m.stream_seq, 58u);
  EXPECT_EQ(m.pending, 0u);
  EXPECT_FALSE(parse_ack_reply("_INBOX.x.1", &m));
  EXPECT_FALSE(parse_ack_reply("$JS.ACK.a.b.c", &m));
  EXPECT_FALSE(parse_ack_reply("$JS.ACK.KV.c.1.x.3.1.4", &m));
}

TEST(JetStream, KvDeleteExpectsTheRecordItDeletes) {
  std::string s;
  write_kv_delete(&s, "$KV.sb_keys.a", 17);
  const std::string headers = "KV-Operation: DEL\r\nNats-Expected-Last-Subject-Sequence: 17\r\n";
  const std::string head = "NATS/1.0\r\n" + headers + "\r\n";
  EXPECT_EQ(s, "HPUB $KV.sb_keys.a " + std::to_string(head.size()) + " " + std::to_string(head.size()) + "\r\n" +
                   head + "\r\n");
}

TEST(JetStream, KvKeysRoundTrip) {
  for (std::string id : {"plain", "plant1.line3.temp", "a-b_c", ".a", "a.", "a..b", "."}) {
    std::string key = kv_key(id), back;
    EXPECT_TRUE(is_valid_subject("$KV.sb_ids." + key)) << id;
    ASSERT_TRUE(id_from_kv_key(key, &back)) << id;
    EXPECT_EQ(back, id);
  }
  EXPECT_EQ(kv_key("a.b"), "a.b");
  EXPECT_EQ(kv_key(".a"), "=2e61");
  std::string id;
  EXPECT_FALSE(id_from_kv_key("=2", &id));
  EXPECT_FALSE(id_from_kv_key("=zz", &id));
  EXPECT_FALSE(id_from_kv_key("", &id));
  EXPECT_NE(kv_stream_config("sb_ids", 0, 3).find("\"num_replicas\":3"), std::string::npos);
  EXPECT_NE(kv_watch_consumer("sb_ids", "_INBOX.s.w").find("\"deliver_policy\":\"last_per_subject\""),
            std::string::npos);
}
