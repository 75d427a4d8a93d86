// A first-in first-out queue over one vector: no allocation while empty (std::deque allocates
// a block even then, which an idle connection's session cannot afford).
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace harness::broker {

template <class T>
class fifo {
  public:
    bool empty() const noexcept { return head_ == items_.size(); }
    std::size_t size() const noexcept { return items_.size() - head_; }
    T& front() noexcept { return items_[head_]; }
    const T& front() const noexcept { return items_[head_]; }
    void push_back(T value) { items_.push_back(std::move(value)); }

    void pop_front() {
        items_[head_] = T{};  // release what it holds now, not at the next compaction
        if (++head_ == items_.size()) {
            items_.clear();
            head_ = 0;
            if (items_.capacity() > 1024)
                items_.shrink_to_fit();  // a burst's storage goes back once it has drained
        } else if (head_ >= 64 && head_ * 2 >= items_.size()) {
            items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
            head_ = 0;
        }
    }

    auto begin() noexcept { return items_.begin() + static_cast<std::ptrdiff_t>(head_); }
    auto end() noexcept { return items_.end(); }

  private:
    std::vector<T> items_;
    std::size_t head_ = 0;
};

}  // namespace harness::broker
