// The HTML report's style sheet, inline in the page: system fonts only, nothing fetched. No '<',
// '>' or '&' in it, as the XML writer would escape them and HTML reads <style> raw.
#include "html_parts.hpp"

namespace harness::reports::html {

std::string_view style_sheet() {
    return R"css(
body { font: 14px system-ui, sans-serif; margin: 1.5em; color: #1d1d1f; }
h1 { font-size: 1.5em; margin: 0 0 .3em; }
.status { font-weight: bold; font-size: 1.1em; }
.status.good { color: #18794e; }
.status.bad { color: #c4281c; }
table.summary th { text-align: left; padding-right: 1.5em; font-weight: 600; }
table.verdicts { border-collapse: collapse; }
table.verdicts td { padding: .2em .8em .2em 0; vertical-align: top; }
.outcome { font-weight: bold; font-family: monospace; }
.passed .outcome { color: #18794e; }
.failed .outcome, .error .outcome { color: #c4281c; }
.skipped .outcome { color: #8a6d00; }
tr.failed, tr.error { background: #fdecea; }
.note { color: #555; }
details.scenario { border: 1px solid #d0d0d5; border-radius: 4px; margin: .8em 0; padding: .4em .8em; }
details.scenario.failed, details.scenario.error { border-color: #c4281c; }
details.scenario summary { cursor: pointer; }
.duration, .tags, .where { color: #555; }
td.duration, td.outcome { white-space: nowrap; }
.failure { background: #fdecea; padding: .5em .8em; margin: .5em 0; }
.failure-message { font-weight: 600; }
.failure h4 { margin: .5em 0 .1em; }
pre { background: #f6f6f8; padding: .5em; overflow-x: auto; white-space: pre-wrap; }
.diagram { overflow-x: auto; margin: .5em 0; }
svg.sequence text { font: 11px monospace; fill: #1d1d1f; }
svg.sequence .actor-head { fill: #eef2fb; stroke: #5b6b8c; }
g.lifeline[data-kind=broker] .actor-head { fill: #fff4dc; stroke: #9a7420; }
g.lifeline[data-kind=component] .actor-head { fill: #e9f7ef; stroke: #3c7a55; }
g.lifeline[data-kind=stand-in] .actor-head { fill: #f3ecfb; stroke: #6d4f92; }
svg.sequence .actor-name { text-anchor: middle; font-weight: bold; }
svg.sequence .lifeline-line { stroke: #9aa3b5; stroke-dasharray: 4 3; }
svg.sequence .arrow-line { stroke: #2b4c8c; stroke-width: 1.3; }
svg.sequence .arrow-head { fill: #2b4c8c; }
g.arrow[data-direction=received] .arrow-line { stroke: #3c7a55; }
g.arrow[data-direction=received] .arrow-head { fill: #3c7a55; }
svg.sequence .label, svg.sequence .payload { text-anchor: middle; }
svg.sequence .payload { fill: #666; }
svg.sequence .time { fill: #888; }
svg.sequence .step-line { stroke: #c8c8d0; }
svg.sequence .step-text { fill: #777; font-style: italic; }
svg.sequence .event-dot { fill: #777; }
svg.sequence .event-text { fill: #555; }
svg.sequence .failure-box { fill: #fdecea; stroke: #c4281c; stroke-width: 1.5; }
svg.sequence .failure-message { fill: #c4281c; font-weight: bold; }
svg.sequence .failure-text { white-space: pre; }
p.truncated { color: #8a6d00; }
details.component-log summary { cursor: pointer; font-family: monospace; }
)css";
}

}  // namespace harness::reports::html
