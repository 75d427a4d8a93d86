// The campaign's corpus, bounded by count and bytes: see corpus.hpp.
#include "harness/netfuzz/corpus.hpp"

#include <utility>

namespace harness::netfuzz {

std::size_t footprint(const fuzz_case& c) noexcept {
    std::size_t n = 0;
    for (const auto& s : c.steps)
        n += sizeof(fuzz_step) + s.bytes.size() + s.note.size() + (s.packet ? s.bytes.size() : 0);
    return n;
}

bool corpus::add(fuzz_case c, fuzz_random& random) {
    const auto size = footprint(c);
    if (size > limits_.max_bytes || limits_.max_cases == 0)
        return false;
    while (!cases_.empty() &&
           (cases_.size() >= limits_.max_cases || bytes_ + size > limits_.max_bytes))
        evict(random.below(cases_.size()));
    cases_.push_back(std::move(c));
    sizes_.push_back(size);
    bytes_ += size;
    return true;
}

void corpus::evict(std::size_t i) {
    bytes_ -= sizes_[i];
    if (i + 1 != cases_.size()) {
        cases_[i] = std::move(cases_.back());
        sizes_[i] = sizes_.back();
    }
    cases_.pop_back();
    sizes_.pop_back();
}

}  // namespace harness::netfuzz
