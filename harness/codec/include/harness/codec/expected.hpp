// A minimal value-or-error type (std::expected arrives only with C++23).
#pragma once

#include <cassert>
#include <utility>
#include <variant>

namespace harness::codec {

template <class E>
struct unexpected {
    E error;
};

template <class E>
unexpected(E) -> unexpected<E>;

template <class T, class E>
class expected {
  public:
    expected(T value) : state_(std::in_place_index<0>, std::move(value)) {}
    template <class... Args>
    explicit expected(std::in_place_t, Args&&... args)
        : state_(std::in_place_index<0>, std::forward<Args>(args)...) {}
    expected(unexpected<E> error) : state_(std::in_place_index<1>, std::move(error.error)) {}

    bool has_value() const noexcept { return state_.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }

    T& value() & {
        assert(has_value());
        return std::get<0>(state_);
    }
    const T& value() const& {
        assert(has_value());
        return std::get<0>(state_);
    }
    T&& value() && {
        assert(has_value());
        return std::get<0>(std::move(state_));
    }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const E& error() const& {
        assert(!has_value());
        return std::get<1>(state_);
    }
    E&& error() && {
        assert(!has_value());
        return std::get<1>(std::move(state_));
    }

  private:
    std::variant<T, E> state_;
};

}  // namespace harness::codec
