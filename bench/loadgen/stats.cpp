#include "bench/loadgen/stats.hpp"

#include <algorithm>
#include <fstream>
#include <numeric>
#include <sstream>
#include <unistd.h>

namespace fc::loadgen {

boost::json::object LatencyRecorder::summary() {
    boost::json::object o;
    o["count"] = samples_.size();
    if (samples_.empty()) return o;
    std::sort(samples_.begin(), samples_.end());
    auto at = [&](double q) {
        auto i = static_cast<std::size_t>(q * static_cast<double>(samples_.size() - 1));
        return static_cast<double>(samples_[i]) / 1000.0;
    };
    o["p50_us"] = at(0.50);
    o["p90_us"] = at(0.90);
    o["p99_us"] = at(0.99);
    o["p999_us"] = at(0.999);
    o["max_us"] = static_cast<double>(samples_.back()) / 1000.0;
    o["mean_us"] = std::accumulate(samples_.begin(), samples_.end(), 0.0) /
                   static_cast<double>(samples_.size()) / 1000.0;
    return o;
}

ProcessSample sample_process(int pid) {
    ProcessSample s;
    if (pid <= 0) return s;
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);) {
        if (line.starts_with("VmRSS:")) {
            std::istringstream in(line.substr(6));
            std::int64_t kb = 0;
            in >> kb;
            s.rss_bytes = kb * 1024;
        }
    }
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string all((std::istreambuf_iterator<char>(stat)), {});
    // Fields after the command name (which may hold spaces) start after ')'.
    auto close = all.rfind(')');
    if (close != std::string::npos) {
        std::istringstream in(all.substr(close + 2));
        std::string field;
        long ticks[2] = {0, 0};
        for (int i = 3; i <= 15 && in >> field; ++i) {
            if (i == 14) ticks[0] = std::stol(field);
            if (i == 15) ticks[1] = std::stol(field);
        }
        const auto hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
        s.cpu_seconds = static_cast<double>(ticks[0] + ticks[1]) / hz;
        s.system_cpu_seconds = static_cast<double>(ticks[1]) / hz;
    }
    return s;
}

} // namespace fc::loadgen
