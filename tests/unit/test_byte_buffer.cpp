// Unit tests for ByteBuffer (common/buffer/byte_buffer.h): append/consume/release, storage
// returned as soon as the buffer empties (an idle connection holds no heap), writable()'s
// compaction and growth keeping the unparsed bytes, and large appends.
#include "common/buffer/byte_buffer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <utility>

namespace sb {
namespace {

std::string pattern(size_t n, unsigned seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + seed) % 251);
  return s;
}

TEST(ByteBuffer, StartsEmptyWithoutStorage) {
  ByteBuffer b;
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.size(), 0u);
  EXPECT_EQ(b.capacity(), 0u);
  EXPECT_TRUE(b.view().empty());
}

TEST(ByteBuffer, AppendThenConsumeInPieces) {
  ByteBuffer b;
  b.append("hello ", 6);
  b.append("world", 5);
  EXPECT_FALSE(b.empty());
  EXPECT_EQ(b.size(), 11u);
  EXPECT_GE(b.capacity(), 11u);
  EXPECT_EQ(b.view(), "hello world");
  b.consume(6);
  EXPECT_EQ(b.view(), "world");
  EXPECT_EQ(b.size(), 5u);
  EXPECT_NE(b.capacity(), 0u);  // still holding bytes
  b.append("!", 1);
  EXPECT_EQ(b.view(), "world!");
  b.consume(0);
  EXPECT_EQ(b.view(), "world!");
}

TEST(ByteBuffer, StorageFreedWhenConsumedToEmpty) {
  ByteBuffer b;
  b.append("abc", 3);
  b.consume(1);
  b.consume(2);
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.capacity(), 0u);
  EXPECT_EQ(b.view(), "");
  // And it comes back to life normally.
  b.append("xyz", 3);
  EXPECT_EQ(b.view(), "xyz");
  b.consume(3);
  EXPECT_EQ(b.capacity(), 0u);
}

TEST(ByteBuffer, ReleaseDropsEverything) {
  ByteBuffer b;
  b.append("partial frame", 13);
  b.release();
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.size(), 0u);
  EXPECT_EQ(b.capacity(), 0u);
  b.release();  // twice is harmless
  b.append("ok", 2);
  EXPECT_EQ(b.view(), "ok");
}

TEST(ByteBuffer, ZeroLengthAppendOnEmptyBufferAllocatesNothing) {
  ByteBuffer b;
  b.append("", 0);
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.capacity(), 0u);
}

TEST(ByteBuffer, WritableAndCommit) {
  ByteBuffer b;
  size_t avail = 0;
  char* p = b.writable(100, &avail);
  ASSERT_NE(p, nullptr);
  EXPECT_GE(avail, 100u);
  EXPECT_EQ(avail, b.capacity());
  std::memcpy(p, "PING\nSE", 7);
  b.commit(7);
  EXPECT_EQ(b.view(), "PING\nSE");
  b.consume(5);
  char* q = b.writable(1, &avail);
  EXPECT_EQ(q, b.view().data() + b.size());  // free space starts right after the data
  std::memcpy(q, "ND", 2);
  b.commit(2);
  EXPECT_EQ(b.view(), "SEND");
}

TEST(ByteBuffer, WritableCompactsWithoutGrowing) {
  ByteBuffer b;
  b.append("x", 1);
  const size_t cap = b.capacity();
  ASSERT_GE(cap, 64u);
  // Fill to the end, then consume most of it so only the tail is unparsed.
  const std::string fill = pattern(cap - 1, 3);
  b.append(fill.data(), fill.size());
  ASSERT_EQ(b.capacity(), cap);
  b.consume(cap - 10);
  const std::string keep(b.view());
  ASSERT_EQ(keep.size(), 10u);
  size_t avail = 0;
  char* p = b.writable(cap - 20, &avail);  // fits once the 10 kept bytes move to the front
  EXPECT_EQ(b.capacity(), cap);
  EXPECT_EQ(avail, cap - 10);
  EXPECT_EQ(b.view(), keep);
  EXPECT_EQ(b.view().data() + 10, p);
  std::memset(p, 'z', avail);
  b.commit(avail);
  EXPECT_EQ(b.size(), cap);
  EXPECT_EQ(b.view().substr(0, 10), keep);
}

TEST(ByteBuffer, WritableGrowsAndKeepsContent) {
  ByteBuffer b;
  const std::string head = pattern(3000, 9);
  b.append(head.data(), head.size());
  b.consume(1000);
  const size_t cap = b.capacity();
  size_t avail = 0;
  char* p = b.writable(cap, &avail);  // cannot fit even after compaction
  EXPECT_GT(b.capacity(), cap);
  EXPECT_GE(avail, cap);
  EXPECT_EQ(b.view(), std::string_view(head).substr(1000));
  EXPECT_EQ(b.view().data() + b.size(), p);
  std::memset(p, 'q', avail);  // the whole reported space is usable (ASan checks)
  b.commit(avail);
  EXPECT_EQ(b.size(), 2000 + avail);
  EXPECT_EQ(b.view().substr(0, 2000), std::string_view(head).substr(1000));
}

TEST(ByteBuffer, AppendCompactsConsumedPrefix) {
  ByteBuffer b;
  const std::string a = pattern(4000, 1);
  b.append(a.data(), a.size());
  const size_t cap = b.capacity();
  b.consume(3900);
  const std::string more = pattern(3000, 2);
  b.append(more.data(), more.size());  // 100 + 3000 fits after compaction
  EXPECT_EQ(b.capacity(), cap);
  EXPECT_EQ(b.view(), a.substr(3900) + more);
}

TEST(ByteBuffer, LargeAppends) {
  ByteBuffer b;
  std::string want;
  for (unsigned i = 0; i < 6; ++i) {
    const std::string chunk = pattern((size_t{1} << (12 + 2 * i)) + i, i);  // 4 KiB .. 4 MiB
    b.append(chunk.data(), chunk.size());
    want += chunk;
    ASSERT_EQ(b.size(), want.size());
    ASSERT_GE(b.capacity(), b.size());
    ASSERT_TRUE(b.view() == want) << i;
  }
  b.consume(want.size() - 5);
  EXPECT_EQ(b.view(), want.substr(want.size() - 5));
  b.consume(5);
  EXPECT_EQ(b.capacity(), 0u);
}

TEST(ByteBuffer, OneHugeAppendFromEmpty) {
  ByteBuffer b;
  const std::string big = pattern(10 * 1024 * 1024 + 7, 5);
  b.append(big.data(), big.size());
  EXPECT_TRUE(b.view() == big);
  EXPECT_GE(b.capacity(), big.size());
}

TEST(ByteBuffer, MoveTransfersStorage) {
  ByteBuffer a;
  a.append("frame", 5);
  ByteBuffer b(std::move(a));
  EXPECT_EQ(b.view(), "frame");
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(a.capacity(), 0u);
  ByteBuffer c;
  c.append("old", 3);
  c = std::move(b);
  EXPECT_EQ(c.view(), "frame");
  c.consume(5);
  EXPECT_EQ(c.capacity(), 0u);
}

TEST(ByteBuffer, RandomizedAgainstString) {
  std::mt19937 rng(12345);
  ByteBuffer b;
  std::string model;
  for (int step = 0; step < 20000; ++step) {
    const unsigned op = rng() % 3;
    switch (op) {
      case 0: {
        std::string s = pattern(rng() % (rng() % 50 == 0 ? 20000 : 300), static_cast<unsigned>(step));
        b.append(s.data(), s.size());
        model += s;
        break;
      }
      case 1: {
        size_t want = rng() % 5000, avail = 0;
        char* p = b.writable(want, &avail);
        ASSERT_GE(avail, want);
        size_t n = avail == 0 ? 0 : rng() % (std::min<size_t>(avail, 6000) + 1);
        std::string s = pattern(n, static_cast<unsigned>(step) * 7);
        if (n) std::memcpy(p, s.data(), n);
        b.commit(n);
        model += s;
        break;
      }
      default: {
        size_t n = model.empty() ? 0 : rng() % (model.size() + 1);
        b.consume(n);
        model.erase(0, n);
      }
    }
    ASSERT_EQ(b.size(), model.size()) << step;
    ASSERT_TRUE(b.view() == model) << step;
    // writable() then commit(0) may leave empty storage behind (the server only calls writable()
    // with bytes held); any consume that empties the buffer frees it.
    if (op == 2 && model.empty()) {
      ASSERT_EQ(b.capacity(), 0u) << step;
    }
    if (model.size() > 100000) {
      b.release();
      model.clear();
    }
  }
}

}  // namespace
}  // namespace sb
