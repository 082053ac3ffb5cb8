// Figures a load-generator run reports: latency samples with percentiles,
// and the server process's memory and CPU time read from /proc.
#pragma once

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace fc::loadgen {

using Clock = std::chrono::steady_clock;

inline std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

// Latency samples in nanoseconds; summarised in microseconds.
class LatencyRecorder {
public:
    explicit LatencyRecorder(std::size_t max_samples = 20'000'000) : max_(max_samples) {}
    void add(std::int64_t ns) {
        if (samples_.size() < max_) samples_.push_back(ns);
    }
    std::size_t count() const { return samples_.size(); }
    // {count, p50_us, p90_us, p99_us, p999_us, max_us, mean_us}
    boost::json::object summary();

private:
    std::size_t max_;
    std::vector<std::int64_t> samples_;
};

// What /proc says of a process; zeros when there is no such process.
struct ProcessSample {
    std::int64_t rss_bytes = 0;
    double cpu_seconds = 0;        // user + system
    double system_cpu_seconds = 0; // of which in the kernel (syscalls, TCP)
};
ProcessSample sample_process(int pid);

} // namespace fc::loadgen
