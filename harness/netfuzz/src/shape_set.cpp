// Distinct response shapes as hashes: see shape_set.hpp.
#include "harness/netfuzz/shape_set.hpp"

namespace harness::netfuzz {

namespace {

constexpr std::size_t initial_slots = 1 << 12;  // a power of two, as every size after it

std::uint64_t stored(std::uint64_t hash) noexcept {
    return hash == 0 ? 1 : hash;
}

}  // namespace

std::uint64_t shape_hash(std::string_view shape) noexcept {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (const char c : shape) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ull;
    }
    return h;
}

shape_set::shape_set(std::size_t max_shapes) : slots_(initial_slots, 0), max_(max_shapes) {}

std::size_t shape_set::find_slot(std::uint64_t hash) const noexcept {
    const auto mask = slots_.size() - 1;
    // FNV-1a's low bits are its weakest: mix before picking the slot.
    auto i = static_cast<std::size_t>((hash ^ (hash >> 29)) * 0x9E3779B97F4A7C15ull) & mask;
    while (slots_[i] != 0 && slots_[i] != hash)
        i = (i + 1) & mask;  // linear probing; the load stays at or under 3/4
    return i;
}

bool shape_set::contains(std::string_view shape) const noexcept {
    const auto h = stored(shape_hash(shape));
    return slots_[find_slot(h)] == h;
}

bool shape_set::insert(std::string_view shape) {
    const auto h = stored(shape_hash(shape));
    auto i = find_slot(h);
    if (slots_[i] == h || full())
        return false;
    if ((size_ + 1) * 4 > slots_.size() * 3) {
        grow();
        i = find_slot(h);
    }
    slots_[i] = h;
    ++size_;
    return true;
}

void shape_set::grow() {
    std::vector<std::uint64_t> old(slots_.size() * 2, 0);
    old.swap(slots_);
    for (const auto h : old)
        if (h != 0)
            slots_[find_slot(h)] = h;
}

}  // namespace harness::netfuzz
