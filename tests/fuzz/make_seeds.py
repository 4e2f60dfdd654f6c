#!/usr/bin/env python3
"""Writes the seed corpora tests/fuzz/corpus/{parser,server}/ (small, valid sessions and each
refusal the protocol defines). Deterministic; rerun after changing an input format:
    python3 tests/fuzz/make_seeds.py
The formats are documented in parser_harness.h and at the top of server_harness.cpp."""
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))

# ---- parser: options byte (bits 0-3 chunk-size count, bits 4-5 max-payload index), sizes, stream
MP_DEFAULT, MP_ZERO, MP_7, MP_300 = 0, 1, 2, 3


def parser_input(stream, chunks=(), max_payload=MP_DEFAULT):
    assert len(chunks) <= 15
    return bytes([len(chunks) | (max_payload << 4)] + list(chunks)) + stream


SERVER_SESSION = (b"HELLO a tok\nSEND b 5\nhello\nSEND * 3\r\na\nc\r\nMSG c  hi there \n"
                  b"PING\nPING x\nWHO\nSTATS\n\n   \r\nQUIT\n")
CLIENT_SESSION = (b"WELCOME a 60\nFROM b 5\nhello\nFROM c 0\n\nPONG\nPONG x\nNODES 2 a b\n"
                  b"STATS connections=2 nodes=2 msgs_in=1\nERR no-such-node c\nERR slow-consumer\nBYE\n")
SERVER_ERRORS = (b"send b 1\nx\nHELLO\nHELLO bad!id\nMSG bad!id x\nSEND bad!id 3\nabc\nSEND b 9\n123456789\n"
                 b"SEND b 000000000000000002\nab\nWHO x\nQUIT now\nSEND b 3\nabcX")

V2_SERVER_SESSION = (b"HELLO x.a\nJOIN #ops\nJOIN ~ops\nLEAVE #ops\nGROUPS\nOPT receipts on\nINFO\n"
                     b"WHO #ops\nWHO x.*\nSEND #ops 2\nhi\nSEND ~ops 0\n\nMSG x.> a\nMSG > b\n"
                     b"SEND a..* 1\nz\nJOIN bad!\nOPT receipts off\n")
V2_CLIENT_SESSION = (b"FROM a 2 #ops\nhi\nFROM b 0 ~w\n\nFROM c 1 x.*\nz\nJOINED #ops 2\nLEFT #ops 1\n"
                     b"GROUPS 2 #ops=1 #dev=3\nOK 3\nINFO proto=2 cluster=off\nOPT receipts on\n"
                     b"ERR no-receivers #g\nERR not-member #g\n")

PARSER_SEEDS = {
    "v2_server_session": parser_input(V2_SERVER_SESSION, (5, 1, 17)),
    "v2_client_session": parser_input(V2_CLIENT_SESSION, (3, 8)),
    "server_session_bytewise": parser_input(SERVER_SESSION),
    "server_session_chunks": parser_input(SERVER_SESSION, (3, 7, 1, 20)),
    "server_session_whole": parser_input(SERVER_SESSION, (255,)),
    "client_session_chunks": parser_input(CLIENT_SESSION, (5, 2, 11)),
    "server_errors_chunks": parser_input(SERVER_ERRORS, (4, 9), MP_7),
    "too_large_skip": parser_input(b"SEND b 10\n0123456789\nPING\nSEND c 301\n" + b"y" * 301 + b"\r\nWHO\n",
                                   (13, 1), MP_300),
    "zero_max_payload": parser_input(b"SEND a 0\n\nSEND a 1\nz\nFROM a 0\r\n\r\n", (2,), MP_ZERO),
    "line_too_long": parser_input(b"PING " + b"x" * 1030 + b"\n", (200, 255)),
    "line_at_limit_crlf": parser_input(b"MSG a " + b"m" * 1018 + b"\r\nPING\n", (100, 3)),
    "bad_length": parser_input(b"HELLO a\nSEND b 5x\nhello\n", (6,)),
    "long_length": parser_input(b"SEND b 1234567890123456789\n", (1,)),
}

# ---- server programs
CONNECT, TCP, RAW, FRAG, BULK, READ, DRAIN, SHUT, CLOSE, TICKS, RUN, DRAINALL, HELLOALL = (
    0, 1, 2, 3, 6, 7, 8, 9, 10, 11, 12, 13, 14)
THEN_RUN = 0x80
(F_HELLO, F_HELLO_TOK, F_SEND, F_SEND_ALL, F_MSG, F_MSG_ALL, F_PING, F_PING_W, F_WHO, F_STATS, F_QUIT,
 F_TOO_LARGE, F_CRLF, F_NO_LEN, F_NO_TERM, F_BAD_ID, F_LONG, F_BLANK, F_MSG_BAD, F_HELLO_BAD, F_SEN,
 F_MAX_SEND, F_LOWER, F_WHO_X, F_HEADER, F_MSG_EMPTY) = range(26)
A, B, C, D, LONG_ID, STAR = range(6)
# v2 (server_harness.cpp's v2_fragment and kV2Ids): fragment bytes from 200, id bytes from 192.
(V_JOIN, V_JOIN_H, V_LEAVE, V_GROUPS, V_RECEIPTS_ON, V_RECEIPTS_OFF, V_INFO, V_WHO, V_SEND_GROUP,
 V_SEND_ANY, V_SEND_PATTERN, V_MSG_TAIL, V_JOIN_BAD, V_OPT_BAD, V_SEND_BAD_PATTERN, V_LEAVE_NONE,
 V_MSG_ANY_H, V_JOIN_ID) = range(200, 218)
X_A, X_B, GROUP, ANYCAST, X_STAR, TAIL, EMPTY_TOKEN, X_TAIL = range(192, 200)


class Program:
    def __init__(self):
        self.b = bytearray()

    def op(self, code, *operands, run=True):
        self.b += bytes([code | (THEN_RUN if run else 0)] + list(operands))
        return self

    def connect(self, how=0): return self.op(CONNECT, how)
    def tcp(self): return self.op(TCP)
    def raw(self, peer, data): assert len(data) < 256; self.b += bytes([RAW | THEN_RUN, peer, len(data)]) + data; return self
    def frag(self, peer, which, ident=A, n=0): return self.op(FRAG, peer, which, ident, n)
    def bulk(self, peer, ident, size_index, count): return self.op(BULK, peer, ident, size_index | ((count - 1) << 4))
    def read(self, peer, n): return self.op(READ, peer, n - 1)
    def drain(self, peer): return self.op(DRAIN, peer)
    def shut(self, peer): return self.op(SHUT, peer)
    def close(self, peer, reset=0): return self.op(CLOSE, peer, reset)
    def ticks(self, n): return self.op(TICKS, n)
    def run(self, n=1): return self.op(RUN, n - 1, run=False)
    def drain_all(self): return self.op(DRAINALL)
    def hello_all(self, base=0): return self.op(HELLOALL, base)


def two_nodes():
    return Program().connect().connect().frag(0, F_HELLO, A).frag(1, F_HELLO, B).drain_all()


SERVER_SEEDS = {
    "unicast": two_nodes().frag(0, F_SEND, B, 5).frag(0, F_MSG, B).drain(1).frag(0, F_QUIT).drain_all(),
    "broadcast": Program().connect().connect().connect().hello_all().drain_all()
    .frag(0, F_SEND_ALL, STAR, 10).frag(1, F_MSG_ALL).drain_all().frag(2, F_WHO).drain_all(),
    "commands_and_refusals": Program().connect().frag(0, F_SEND, B, 3).frag(0, F_HELLO_BAD).frag(0, F_HELLO_TOK, C)
    .frag(0, F_HELLO, D).frag(0, F_PING).frag(0, F_PING_W, A, 7).frag(0, F_WHO).frag(0, F_STATS)
    .frag(0, F_LOWER, A).frag(0, F_WHO_X).frag(0, F_MSG_BAD).frag(0, F_BAD_ID).frag(0, F_SEND, D, 1)
    .frag(0, F_MSG_EMPTY, B).frag(0, F_BLANK).frag(0, F_CRLF, C).drain_all(),
    "timeouts": Program().connect().connect().frag(0, F_HELLO, A).run().ticks(4).drain_all().ticks(10)
    .drain_all().run(2),
    "slow_consumer": Program().connect(1).connect(2).frag(0, F_HELLO, A).frag(1, F_HELLO, B).drain_all()
    .bulk(0, B, 1, 16).run(4).bulk(0, B, 1, 16).run(4).bulk(0, B, 2, 16).run(4).ticks(3).run(2)
    .bulk(0, B, 0, 8).ticks(8).run(4).drain_all(),
    "back_pressure_release": Program().connect(1).connect(1).frag(0, F_HELLO, A).frag(1, F_HELLO, B).drain_all()
    .bulk(0, B, 1, 16).run(4).bulk(0, B, 1, 16).run(4).drain(1).run(4).drain(1).run(4).drain_all(),
    "too_large_and_skips": two_nodes().frag(0, F_TOO_LARGE, B).raw(0, b"z" * 200).frag(0, F_BAD_ID)
    .frag(0, F_MAX_SEND, B).bulk(0, B, 3, 2).frag(0, F_PING).drain_all(),
    "fatal_errors": Program().connect().connect().connect().hello_all(1).frag(0, F_NO_LEN, B)
    .frag(1, F_NO_TERM, A).frag(2, F_LONG, A, 100).drain_all(),
    "long_unknown_verb": Program().connect().frag(0, F_HELLO, A).frag(0, F_LONG, A, 60).frag(0, F_WHO).drain_all(),
    "half_close_and_drop": two_nodes().frag(0, F_SEND, B, 9).shut(0).drain_all().frag(1, F_SEND, A, 4)
    .connect().frag(2, F_HELLO, C).frag(1, F_SEND, C, 50).frag(1, F_SEND, C, 60).close(2).run(2).drain_all(),
    "tcp": Program().tcp().run(2).frag(0, F_HELLO, A).drain(0).tcp().run(2).frag(1, F_HELLO, B)
    .frag(0, F_SEND, B, 8).drain_all().close(1, 1).run(2).drain_all(),
    "server_full": Program().connect().connect().connect().connect().connect().connect().connect().connect()
    .connect().connect().connect().connect().connect().connect().tcp().run(3).drain_all(),
    "split_frames": Program().connect().raw(0, b"HEL").raw(0, b"LO a\nSEN").raw(0, b"D a 3\nab")
    .raw(0, b"c\nPI").raw(0, b"NG\r").raw(0, b"\n").frag(0, F_SEN).raw(0, b"D a 1\nq\n").drain_all(),
    "groups_and_patterns": Program().connect().connect().connect().frag(0, F_HELLO, X_A).frag(1, F_HELLO, X_B)
    .frag(2, F_HELLO, A).drain_all().frag(0, V_JOIN).frag(1, V_JOIN).frag(2, V_JOIN_H).frag(2, V_RECEIPTS_ON)
    .frag(2, V_SEND_GROUP, A, 5).frag(0, V_SEND_ANY, A, 3).frag(2, V_SEND_PATTERN, A, 4).frag(2, V_MSG_TAIL)
    .frag(1, V_MSG_ANY_H).frag(0, V_WHO, X_STAR).frag(0, V_WHO, GROUP).frag(1, V_GROUPS).frag(1, V_INFO)
    .frag(2, V_JOIN_BAD).frag(2, V_OPT_BAD).frag(2, V_SEND_BAD_PATTERN, A, 6).frag(0, V_LEAVE)
    .frag(0, V_LEAVE_NONE).frag(2, V_RECEIPTS_OFF).frag(2, V_JOIN_ID, EMPTY_TOKEN).close(1).run(2).drain_all(),
    "header_then_payload": two_nodes().frag(0, F_HEADER, B, 20).raw(0, b"0123456789").run()
    .raw(0, b"abcdefghij\n").drain_all(),
}


def write(kind, seeds):
    d = os.path.join(HERE, "corpus", kind)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for name, data in seeds.items():
        if isinstance(data, Program):
            data = bytes(data.b)
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


write("parser", PARSER_SEEDS)
write("server", SERVER_SEEDS)
