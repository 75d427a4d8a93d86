// Turns -D groups into property lists, checking names, values and where each may appear.
#include "property_arguments.hpp"

#include <charconv>
#include <limits>

namespace harness::cli {
namespace {

using namespace codec;

struct command_target {
    std::string_view name;
    property_context context;
    codec::property_list property_arguments::*list;
};

constexpr command_target targets[] = {
    {"connect", property_context::connect, &property_arguments::connect},
    {"publish", property_context::publish, &property_arguments::publish},
    {"subscribe", property_context::subscribe, &property_arguments::subscribe},
    {"unsubscribe", property_context::unsubscribe, &property_arguments::unsubscribe},
    {"disconnect", property_context::disconnect, &property_arguments::disconnect},
    {"will", property_context::will, &property_arguments::will},
};

/// "content-type" -> the table entry named "content_type".
const property_info* find_by_name(std::string_view name) {
    std::string snake(name);
    for (auto& c : snake) {
        if (c == '-')
            c = '_';
    }
    for (const auto& info : property_table()) {
        if (info.name == snake)
            return &info;
    }
    return nullptr;
}

std::optional<std::uint32_t> parse_number(std::string_view text, std::uint64_t max) {
    std::uint64_t value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc{} || ptr != end || value > max)
        return std::nullopt;
    return static_cast<std::uint32_t>(value);
}

std::uint64_t max_of(wire_type type) {
    switch (type) {
        case wire_type::byte:
            return 0xFF;
        case wire_type::two_byte_integer:
            return 0xFFFF;
        case wire_type::four_byte_integer:
            return 0xFFFFFFFF;
        default:
            return max_remaining_length;
    }
}

}  // namespace

std::optional<property_arguments> parse_property_arguments(
    const std::vector<std::vector<std::string>>& groups, std::string& error) {
    property_arguments out;
    for (const auto& group : groups) {
        if (group.size() < 3) {
            error = "-D needs a command, a property name and a value";
            return std::nullopt;
        }
        const command_target* target = nullptr;
        for (const auto& t : targets) {
            if (t.name == group[0])
                target = &t;
        }
        if (target == nullptr) {
            error = "-D: unknown command '" + group[0] +
                    "' (connect, publish, subscribe, unsubscribe, disconnect or will)";
            return std::nullopt;
        }
        const property_info* info = find_by_name(group[1]);
        if (info == nullptr) {
            error = "-D " + group[0] + ": unknown property '" + group[1] + "'";
            return std::nullopt;
        }
        if ((info->contexts & static_cast<std::uint16_t>(target->context)) == 0) {
            error = "-D: " + group[1] + " is not allowed in " +
                    std::string(context_name(target->context));
            return std::nullopt;
        }
        const std::size_t values = info->type == wire_type::utf8_string_pair ? 2 : 1;
        if (group.size() != 2 + values) {
            error = "-D " + group[0] + " " + group[1] + " takes " + std::to_string(values) +
                    (values == 1 ? " value" : " values");
            return std::nullopt;
        }
        auto& list = out.*(target->list);
        switch (info->type) {
            case wire_type::utf8_string:
                list.add(info->id, group[2]);
                break;
            case wire_type::binary_data:
                list.add(info->id, binary(group[2].begin(), group[2].end()));
                break;
            case wire_type::utf8_string_pair:
                list.add_user_property(group[2], group[3]);
                break;
            default: {
                const auto value = parse_number(group[2], max_of(info->type));
                if (!value) {
                    error = "-D " + group[0] + " " + group[1] + ": '" + group[2] +
                            "' is not a number from 0 to " + std::to_string(max_of(info->type));
                    return std::nullopt;
                }
                list.add(info->id, *value);
            }
        }
    }
    return out;
}

}  // namespace harness::cli
