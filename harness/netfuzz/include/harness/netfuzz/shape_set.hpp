// The distinct response shapes a campaign has seen, kept as 64-bit FNV-1a hashes of the shape
// strings (not the strings themselves) in an open-addressing table of 8-byte slots, at
// most three quarters used (11 to 22 bytes a shape), up to a cap so that memory stays bounded in
// runs of hours: 4 million shapes take 64 MiB. Two shapes with the same hash count as one; with
// n shapes the chance of any such collision is about n² / 2⁶⁵ (4·10⁻⁷ at 4 million), and one
// costs only a case that does not join the corpus.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace harness::netfuzz {

/// FNV-1a, 64 bits.
std::uint64_t shape_hash(std::string_view shape) noexcept;

class shape_set {
  public:
    explicit shape_set(std::size_t max_shapes);

    /// Remembers `shape`; true when it was new and there was room for it (a full set takes
    /// nothing more and answers false).
    bool insert(std::string_view shape);
    bool contains(std::string_view shape) const noexcept;
    std::size_t size() const noexcept { return size_; }
    bool full() const noexcept { return size_ >= max_; }
    std::size_t memory_bytes() const noexcept { return slots_.size() * sizeof(std::uint64_t); }

  private:
    std::size_t find_slot(std::uint64_t hash) const noexcept;
    void grow();

    std::vector<std::uint64_t> slots_;  // 0: empty (a hash of 0 is stored as 1)
    std::size_t size_ = 0;
    std::size_t max_;
};

}  // namespace harness::netfuzz
