// Reading trace entries back into their parts for the HTML report's sequence diagram: the arrow's
// direction and packet type, a PUBLISH's topic and payload, step numbers. The forms are those of
// harness/runner (packet_text.cpp, run_scenario.cpp); anything else stays whole.
#include "harness/reports/trace_line.hpp"

#include <array>
#include <charconv>

namespace harness::reports {

namespace {

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && s.front() == ' ')
        s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ')
        s.remove_suffix(1);
    return s;
}

/// The properties packet_text writes after a PUBLISH's payload, each starting with a space.
bool starts_properties(std::string_view tail) {
    constexpr std::array<std::string_view, 3> quoted{" content_type=\"", " response_topic=\"",
                                                     " correlation=\""};
    if (tail.empty() || tail.find('"') == std::string_view::npos)
        return true;  // nothing, or only user properties (k=v, unquoted)
    for (auto p : quoted)
        if (tail.starts_with(p))
            return true;
    return false;
}

/// `PUBLISH` after its type word: `q1 id=3 retain "topic" "payload" props`.
void read_publish(std::string_view rest, trace_line& line) {
    line.detail = std::string(trimmed(rest));
    const auto open = rest.find('"');
    if (open == std::string_view::npos)
        return;
    const auto body = rest.substr(open + 1);
    const auto topic_end = body.find("\" \"");
    if (topic_end == std::string_view::npos)
        return;
    const auto after = body.substr(topic_end + 3);
    for (std::size_t p = after.find('"'); p != std::string_view::npos; p = after.find('"', p + 1)) {
        const auto tail = after.substr(p + 1);
        if (!tail.empty() && tail.front() != ' ')
            continue;
        if (!starts_properties(tail))
            continue;
        line.detail = std::string(trimmed(rest.substr(0, open)));
        line.topic = std::string(body.substr(0, topic_end));
        line.payload = std::string(after.substr(0, p));
        return;
    }
}

/// The number after "step " in `text`, and where it ends; 0 when there is none.
int step_number(std::string_view text, std::size_t& end) {
    if (!text.starts_with("step "))
        return 0;
    int n = 0;
    const char* first = text.data() + 5;
    const auto [ptr, ec] = std::from_chars(first, text.data() + text.size(), n);
    if (ec != std::errc{} || n <= 0)
        return 0;
    end = static_cast<std::size_t>(ptr - text.data());
    return n;
}

}  // namespace

trace_line parse_trace_line(std::string_view actor, std::string_view text) {
    trace_line line;
    if (actor == "steps") {
        std::size_t end = 0;
        line.step = step_number(text, end);
        line.what = trace_line::kind::step;
        if (line.step > 0 && text.substr(end) == " failed")
            line.what = trace_line::kind::step_failed;
        else if (line.step == 0 || !text.substr(end).starts_with(":"))
            line.step = 0;  // other lines of the steps: dividers too
        line.detail = std::string(text);
        return line;
    }
    if (!text.starts_with("-> ") && !text.starts_with("<- ")) {
        line.detail = std::string(text);
        return line;
    }
    line.what = trace_line::kind::packet;
    line.sent = text.starts_with("->");
    const auto rest = trimmed(text.substr(3));
    const auto type_end = rest.find_first_of(" :");
    line.type = std::string(rest.substr(0, type_end));
    const auto after =
        type_end == std::string_view::npos ? std::string_view{} : rest.substr(type_end + 1);
    if (line.type == "PUBLISH")
        read_publish(after, line);
    else
        line.detail = std::string(trimmed(after));
    return line;
}

}  // namespace harness::reports
