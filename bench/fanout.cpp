// Process fan-out for --procs: fork, phase barriers over pipes, result collection and merging.
#include "bench/fanout.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "bench/worker.h"

namespace sb::bench {

namespace {

class LocalHooks : public WorkerHooks {
 public:
  explicit LocalHooks(const PhaseCallbacks& cb) : cb_(cb) {}
  void connected() override {
    if (cb_.all_connected) cb_.all_connected();
  }
  void wait_start() override {}
  void drained() override {
    if (cb_.all_drained) cb_.all_drained();
  }
  int finish_fd() override { return -1; }

 private:
  const PhaseCallbacks& cb_;
};

void write_all(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::write(fd, s.data(), s.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the parent is gone; nothing sensible left to do
    s.remove_prefix(static_cast<size_t>(n));
  }
}

class ChildHooks : public WorkerHooks {
 public:
  ChildHooks(int up, int go, int finish) : up_(up), go_(go), finish_(finish) {}
  void connected() override { write_all(up_, "ready\n"); }
  void wait_start() override {
    char c;
    while (::read(go_, &c, 1) < 0 && errno == EINTR) {
    }
  }
  void drained() override { write_all(up_, "drained\n"); }
  int finish_fd() override { return finish_; }

 private:
  int up_, go_, finish_;
};

struct Child {
  pid_t pid = -1;
  int up = -1;
  std::string data;
  bool ready = false, drained = false, eof = false;
};

}  // namespace

WorkerResult run_workers(const Options& o, const std::string& id_prefix, bool progress, const PhaseCallbacks& cb) {
  if (o.procs == 1) {
    LocalHooks hooks(cb);
    return run_worker(o, 0, id_prefix, hooks, progress);
  }
  int go[2], finish[2];
  if (pipe(go) != 0 || pipe(finish) != 0) {
    WorkerResult r;
    r.first_error = std::string("pipe: ") + std::strerror(errno);
    return r;
  }
  std::vector<Child> kids(o.procs);
  for (uint32_t w = 0; w < o.procs; ++w) {
    int up[2];
    if (pipe(up) != 0) break;
    pid_t pid = fork();
    if (pid == 0) {
      ::close(up[0]);
      ::close(go[1]);
      ::close(finish[1]);
      for (uint32_t k = 0; k < w; ++k) ::close(kids[k].up);
      ChildHooks hooks(up[1], go[0], finish[0]);
      WorkerResult r = run_worker(o, w, id_prefix, hooks, progress && w == 0);
      write_all(up[1], "result\n" + r.serialize());
      _exit(0);
    }
    ::close(up[1]);
    if (pid < 0) {
      ::close(up[0]);
      break;
    }
    kids[w].pid = pid;
    kids[w].up = up[0];
  }
  ::close(go[0]);
  ::close(finish[0]);

  WorkerResult merged;
  bool go_open = true, finish_open = true, failed = false;
  for (const auto& k : kids)
    if (k.pid < 0) failed = true;
  auto release = [&](bool& open, int fd) {
    if (open) ::close(fd);
    open = false;
  };
  for (;;) {
    std::vector<pollfd> fds;
    std::vector<Child*> owners;
    for (auto& k : kids)
      if (k.pid > 0 && !k.eof) {
        fds.push_back({k.up, POLLIN, 0});
        owners.push_back(&k);
      }
    if (fds.empty()) break;
    if (poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) break;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      Child& k = *owners[i];
      char buf[65536];
      ssize_t n = ::read(k.up, buf, sizeof buf);
      if (n > 0) {
        k.data.append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        k.eof = true;
      }
      k.ready = k.data.find("ready\n") != std::string::npos;
      k.drained = k.data.find("drained\n") != std::string::npos;
      // A worker that ends before it is ready failed to connect: let the others go, then stop them.
      if (k.eof && !k.drained) failed = true;
    }
    bool all_ready = true, all_drained = true;
    for (const auto& k : kids) {
      all_ready = all_ready && k.ready;
      all_drained = all_drained && k.drained;
    }
    if (failed) {
      for (auto& k : kids)
        if (k.pid > 0 && !k.eof) kill(k.pid, SIGTERM);
      release(go_open, go[1]);
      release(finish_open, finish[1]);
    }
    if (all_ready && go_open) {
      if (cb.all_connected) cb.all_connected();
      release(go_open, go[1]);
    }
    if (all_drained && finish_open) {
      if (cb.all_drained) cb.all_drained();
      release(finish_open, finish[1]);
    }
  }
  release(go_open, go[1]);
  release(finish_open, finish[1]);
  for (auto& k : kids) {
    if (k.pid <= 0) continue;
    int status = 0;
    waitpid(k.pid, &status, 0);
    ::close(k.up);
    size_t at = k.data.find("result\n");
    WorkerResult r;
    if (at == std::string::npos || !r.deserialize(std::string_view(k.data).substr(at + 7))) {
      r = WorkerResult{};
      r.first_error = "worker " + std::to_string(k.pid) + " ended without a result";
    }
    merged.merge(r);
  }
  if (failed && merged.first_error.empty()) merged.first_error = "a worker process failed";
  return merged;
}

}  // namespace sb::bench
