// Packet identifier allocation: 1..65535, each in use at most once ([MQTT-2.2.1-3]).
#pragma once

#include <bitset>
#include <cstdint>
#include <optional>

namespace harness::client {

class packet_id_allocator {
  public:
    /// The next free identifier after the last one handed out, or nullopt when all are in use.
    std::optional<std::uint16_t> allocate() noexcept {
        if (in_use_count_ == 65535)
            return std::nullopt;
        do {
            next_ = static_cast<std::uint16_t>(next_ == 65535 ? 1 : next_ + 1);
        } while (in_use_[next_]);
        in_use_[next_] = true;
        ++in_use_count_;
        return next_;
    }

    /// Marks an identifier as taken (a session restored with ids already in flight).
    void reserve(std::uint16_t id) noexcept {
        if (id != 0 && !in_use_[id]) {
            in_use_[id] = true;
            ++in_use_count_;
        }
    }

    void release(std::uint16_t id) noexcept {
        if (id != 0 && in_use_[id]) {
            in_use_[id] = false;
            --in_use_count_;
        }
    }

    bool in_use(std::uint16_t id) const noexcept { return in_use_[id]; }
    std::size_t in_use_count() const noexcept { return in_use_count_; }

  private:
    std::bitset<65536> in_use_;
    std::size_t in_use_count_ = 0;
    std::uint16_t next_ = 0;
};

}  // namespace harness::client
