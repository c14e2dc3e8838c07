#include "task_pool.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define RESNEXT_PAUSE() _mm_pause()
#else
#define RESNEXT_PAUSE() ((void)0)
#endif

namespace resnext {
namespace {
// Pause instructions a worker spins for the next call before it sleeps (tens of microseconds).
constexpr int kSpin = 1 << 12;
}  // namespace

TaskPool::TaskPool(int workers) {
  // Each worker starts from the generation of now: one read after a call had been posted would
  // miss that call, and the caller would wait for it forever.
  const uint32_t start = generation_.load(std::memory_order_acquire);
  for (int i = 0; i < workers; i++) workers_.emplace_back([this, start] { work(start); });
}

TaskPool::~TaskPool() {
  stop_.store(true, std::memory_order_release);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  generation_.notify_all();
  for (auto& w : workers_) w.join();
}

void TaskPool::drain() {
  for (int t; (t = next_.fetch_add(1, std::memory_order_relaxed)) < tasks_;) fn_(context_, t);
}

void TaskPool::work(uint32_t seen) {
  for (;;) {
    for (int i = 0; i < kSpin && generation_.load(std::memory_order_acquire) == seen; i++) RESNEXT_PAUSE();
    generation_.wait(seen, std::memory_order_acquire);
    seen = generation_.load(std::memory_order_acquire);
    if (stop_.load(std::memory_order_acquire)) return;
    drain();
    // Every worker checks in once per call: the caller returns only after the last one.
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) pending_.notify_one();
  }
}

void TaskPool::run(int tasks, TaskFn fn, const void* context) {
  if (workers_.empty() || tasks <= 1) {
    for (int t = 0; t < tasks; t++) fn(context, t);
    return;
  }
  tasks_ = tasks;
  fn_ = fn;
  context_ = context;
  next_.store(0, std::memory_order_relaxed);
  pending_.store(static_cast<int>(workers_.size()), std::memory_order_relaxed);
  generation_.fetch_add(1, std::memory_order_acq_rel);  // publishes the fields above
  generation_.notify_all();
  drain();
  for (int i = 0; i < kSpin && pending_.load(std::memory_order_acquire) != 0; i++) RESNEXT_PAUSE();
  for (int p; (p = pending_.load(std::memory_order_acquire)) != 0;) pending_.wait(p, std::memory_order_acquire);
}

}  // namespace resnext
