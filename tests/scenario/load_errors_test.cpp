// Tests of load.hpp on files with mistakes: each kind of mistake is reported with the exact
// file, line and column and a message that says what was expected, and several mistakes in one
// file are all reported.
#include <gtest/gtest.h>

#include "harness/codec/topic.hpp"
#include "harness/scenario/load.hpp"
#include "support/temp_dir.hpp"

namespace harness::scenario {
namespace {

std::vector<std::string> messages(const load_result& result) {
    std::vector<std::string> out;
    for (const diagnostic& error : result.errors)
        out.push_back(error.to_string());
    return out;
}

/// The diagnostics of `text` loaded as "s.yaml".
std::vector<std::string> errors_of(const std::string& text) {
    return messages(load_text(text, "s.yaml"));
}

using list = std::vector<std::string>;

TEST(LoadErrors, SyntaxErrorHasItsPosition) {
    EXPECT_EQ(errors_of("steps:\n  - connect: [a\n"),
              list{"s.yaml:3:1: error: syntax error: end of sequence flow not found"});
}

TEST(LoadErrors, UnreadableFileIsReportedWithoutLine) {
    const load_result result = load_file("/nonexistent/x.yaml");
    ASSERT_EQ(result.errors.size(), 1u);
    EXPECT_EQ(result.errors[0].to_string(),
              "/nonexistent/x.yaml: error: cannot read the file: No such file or directory");
}

TEST(LoadErrors, UnknownKeyNamesTheClosestKnownKey) {
    EXPECT_EQ(errors_of("clients: [{name: a}]\nsteps:\n  - publish: {client: a, topc: x}\n"),
              (list{"s.yaml:3:14: error: missing required key `topic` in publish",
                    "s.yaml:3:26: error: unknown key `topc` in publish (did you mean `topic`?)"}));
}

TEST(LoadErrors, UnknownKeyWithNothingCloseListsTheKnownKeys) {
    EXPECT_EQ(errors_of("defaults: {zzzzzz: 1}\nsteps: []\n"),
              list{"s.yaml:1:12: error: unknown key `zzzzzz` in defaults; expected one of: "
                   "timeout, qos, protocol"});
}

TEST(LoadErrors, UnknownStepKindSuggestsTheClosest) {
    EXPECT_EQ(errors_of("steps:\n  - slep: 1s\n"),
              list{"s.yaml:2:5: error: unknown key `slep` in step (did you mean `sleep`?)"});
}

TEST(LoadErrors, WrongTypeSaysWhatWasExpected) {
    EXPECT_EQ(errors_of("steps:\n  - sleep: 5\n"),
              list{"s.yaml:2:12: error: expected a duration like 500ms or 2s, got `5`"});
    EXPECT_EQ(errors_of("clients: [{name: a, clean_start: maybe}]\nsteps: []\n"),
              list{"s.yaml:1:34: error: expected true or false, got `maybe`"});
    EXPECT_EQ(
        errors_of("defaults: {qos: 3, protocol: 4}\nsteps: []\n"),
        (list{"s.yaml:1:17: error: expected a QoS of 0, 1 or 2, got `3`",
              "s.yaml:1:30: error: expected a protocol version of 3.1, 3.1.1 or 5, got `4`"}));
}

TEST(LoadErrors, MissingRequiredFieldIsReportedAtItsMap) {
    EXPECT_EQ(errors_of("clients:\n  - protocol: 5\nsteps: []\n"),
              list{"s.yaml:2:5: error: missing required key `name` in client"});
}

TEST(LoadErrors, FileWithoutStepsOrScenariosIsReported) {
    EXPECT_EQ(errors_of("name: x\n"),
              list{"s.yaml:1:1: error: missing `steps` (one scenario) or `scenarios` (a suite)"});
}

TEST(LoadErrors, BadTopicFilterNamesTheCodecsError) {
    const auto errors =
        errors_of("clients: [{name: a}]\nsteps:\n  - subscribe: {client: a, topic: \"a/#/b\"}\n");
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].rfind("s.yaml:3:35: error: bad topic filter `\"a/#/b\"`: ", 0), 0u)
        << errors[0];
}

TEST(LoadErrors, BadTopicNameIsReportedButTemplatedTopicsAreNot) {
    const auto errors = errors_of(
        "clients: [{name: a}]\nsteps:\n  - publish: {client: a, topic: a/+}\n"
        "  - publish: {client: a, topic: \"{{run.prefix}}+\"}\n");
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].rfind("s.yaml:3:33: error: bad topic name `a/+`: ", 0), 0u) << errors[0];
}

TEST(LoadErrors, UndefinedTemplateVariableSuggestsTheClosestName) {
    EXPECT_EQ(errors_of("variables: {name: x}\nclients: [{name: a}]\nsteps:\n"
                        "  - publish: {client: a, topic: t, payload: \"hi {{nam}}\"}\n"),
              list{"s.yaml:4:45: error: unknown template name `nam` (did you mean `name`?); "
                   "expected a variable or a built-in such as `seq` or `run.id`"});
    EXPECT_EQ(errors_of("clients: [{name: a}]\nsteps:\n"
                        "  - publish: {client: a, topic: \"t/{{sq}}\"}\n"),
              list{"s.yaml:3:33: error: unknown template name `sq` (did you mean `seq`?); "
                   "expected a variable or a built-in such as `seq` or `run.id`"});
}

TEST(LoadErrors, TriggerValuesOutsideStandInsAreUnknown) {
    EXPECT_EQ(errors_of("clients: [{name: a}]\nsteps:\n"
                        "  - publish: {client: a, topic: t, payload: \"{{trigger.payload}}\"}\n"),
              list{"s.yaml:3:45: error: unknown template name `trigger.payload`; trigger values "
                   "exist only in stand-in replies"});
}

TEST(LoadErrors, UnclosedTemplateIsReported) {
    EXPECT_EQ(errors_of("clients: [{name: a, client_id: \"x{{seq\"}]\nsteps: []\n"),
              list{"s.yaml:1:32: error: bad template `\"x{{seq\"`: unclosed `{{` at character 2 "
                   "(write `{{{{` for a literal `{{`)"});
}

TEST(LoadErrors, UnknownClientComponentAndStepIdAreReported) {
    const std::string text = R"(clients: [{name: sensor}]
components: [{name: bridge, command: "true"}]
stand_ins:
  - {name: s, client: sensr, on: {topic: x}, publish: {topic: y}}
background: [{client: nobody, topic: z}]
steps:
  - wait_log: {component: brige, pattern: x}
  - expect: {client: sensor, topic: t, after: sent}
)";
    EXPECT_EQ(errors_of(text),
              (list{"s.yaml:4:23: error: unknown client `sensr` (did you mean `sensor`?); "
                    "defined clients: sensor",
                    "s.yaml:5:23: error: unknown client `nobody`; defined clients: sensor",
                    "s.yaml:7:27: error: unknown component `brige` (did you mean `bridge`?); "
                    "defined components: bridge",
                    "s.yaml:8:47: error: unknown step id `sent`; `after` names the `id` of an "
                    "earlier step"}));
}

TEST(LoadErrors, DuplicateNamesAreReported) {
    const std::string text = R"(clients:
  - name: a
  - name: a
steps:
  - {id: one, connect: a}
  - {id: one, sleep: 1s}
)";
    EXPECT_EQ(errors_of(text),
              (list{"s.yaml:3:5: error: duplicate client name `a` (first defined at line 2)",
                    "s.yaml:6:10: error: duplicate step id `one` (first at line 5)"}));
}

TEST(LoadErrors, SuiteClientDefinedInFileAndScenarioIsAnError) {
    const std::string text = R"(clients: [{name: a}]
scenarios:
  - name: one
    clients: [{name: a}]
    steps: []
  - name: one
    steps: []
)";
    EXPECT_EQ(errors_of(text),
              (list{"s.yaml:4:15: error: duplicate client name `a` (first defined at line 1)",
                    "s.yaml:6:11: error: duplicate scenario name `one` (first at line 3)"}));
}

TEST(LoadErrors, SuiteScenarioNeedsNameAndSteps) {
    EXPECT_EQ(errors_of("scenarios:\n  - description: x\n"),
              (list{"s.yaml:2:5: error: missing required key `name` in scenario",
                    "s.yaml:2:5: error: missing required key `steps` in scenario"}));
}

TEST(LoadErrors, PayloadFileMustExistRelativeToTheScenarioFile) {
    test_support::temp_dir dir("load-errors");
    const std::string path = dir.file("s.yaml");
    const load_result result = load_text(
        "clients: [{name: a}]\nsteps:\n  - publish: {client: a, topic: t, payload: {file: "
        "missing.bin}}\n",
        path);
    ASSERT_EQ(result.errors.size(), 1u);
    EXPECT_EQ(result.errors[0].to_string(),
              path + ":3:52: error: payload file `missing.bin` does not exist (looked for " +
                  dir.file("missing.bin") + ")");
}

TEST(LoadErrors, InvalidRegexIsReportedAtItsPosition) {
    const auto errors = errors_of(
        "clients: [{name: a}]\nsteps:\n"
        "  - expect: {client: a, topic: t, payload: {regex: \"a(b\"}}\n");
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].rfind("s.yaml:3:52: error: invalid regular expression `a(b`: ", 0), 0u)
        << errors[0];
}

TEST(LoadErrors, ExpectWithBothMatchKeysAndMessagesIsAnError) {
    EXPECT_EQ(errors_of("clients: [{name: a}]\nsteps:\n"
                        "  - expect: {client: a, topic: t, messages: [{topic: u}]}\n"),
              list{"s.yaml:3:32: error: `topic` belongs inside the items of `messages` here; an "
                   "expect has either match keys or `messages`"});
}

TEST(LoadErrors, UnknownReasonNameSuggestsTheClosest) {
    EXPECT_EQ(errors_of("clients: [{name: a}]\nsteps:\n"
                        "  - connect: {client: a, expect_reason: not_authorised}\n"),
              list{"s.yaml:3:41: error: unknown reason code `not_authorised` (did you mean "
                   "`not_authorized`?); expected a number or a name such as `not_authorized`"});
}

TEST(LoadErrors, FaultStepsLoadButBadValuesAreReported) {
    EXPECT_EQ(errors_of("steps:\n  - fault: {action: dorp, packet: publsh}\n"),
              (list{"s.yaml:2:21: error: expected a fault action (drop, delay, duplicate, "
                    "disconnect_client, clear), got `dorp` (did you mean `drop`?)",
                    "s.yaml:2:35: error: expected a packet type name (connect, connack, publish, "
                    "puback, pubrec, pubrel, pubcomp, subscribe, suback, unsubscribe, unsuback, "
                    "pingreq, pingresp, disconnect, auth), got `publsh` (did you mean "
                    "`publish`?)"}));
}

TEST(LoadErrors, SuiteSharedPartMistakeIsReportedOnce) {
    const std::string text = R"(clients: [{name: a, keep_alive: soon}]
scenarios:
  - {name: one, steps: [{connect: a}]}
  - {name: two, steps: [{connect: a}]}
)";
    EXPECT_EQ(errors_of(text),
              list{"s.yaml:1:33: error: expected a duration like 30s or an integer number of "
                   "seconds, got `soon`"});
}

TEST(LoadErrors, HexPayloadMustBeWholeBytesOfHexDigits) {
    EXPECT_EQ(errors_of("clients: [{name: a}]\nsteps:\n"
                        "  - publish: {client: a, topic: t, payload: {hex: \"abc\"}}\n"
                        "  - publish: {client: a, topic: t, payload: {hex: \"zz\"}}\n"),
              (list{"s.yaml:3:51: error: expected an even number of hex digits (whole bytes), "
                    "got 3",
                    "s.yaml:4:51: error: expected hex digits like \"de ad be ef\", got "
                    "`\"zz\"`"}));
}

TEST(LoadErrors, VariableMayNotShadowABuiltIn) {
    EXPECT_EQ(errors_of("variables: {seq: 1}\nsteps: []\n"),
              list{"s.yaml:1:13: error: variable `seq` has the name of a built-in template "
                   "value; choose another name"});
}

TEST(LoadErrors, PayloadMapNeedsExactlyOneForm) {
    EXPECT_EQ(errors_of("clients: [{name: a}]\nsteps:\n"
                        "  - publish: {client: a, topic: t, payload: {text: a, hex: \"00\"}}\n"),
              list{"s.yaml:3:45: error: a payload takes only one of `text`, `json`, `hex`, "
                   "`file`"});
}

TEST(LoadErrors, EveryMistakeInAFileIsReportedInOrder) {
    const std::string text = R"(name: many mistakes
variables: {device: d1}
clients:
  - name: a
    keep_alive: soon
steps:
  - publish: {client: b, topic: "x/{{devise}}", qos: 5}
  - expect: {client: a, topic: "#/x", within: 2}
  - sleep: 1s
    extra: 1
)";
    EXPECT_EQ(
        errors_of(text),
        (list{"s.yaml:5:17: error: expected a duration like 30s or an integer number of seconds, "
              "got `soon`",
              "s.yaml:7:23: error: unknown client `b`; defined clients: a",
              "s.yaml:7:33: error: unknown template name `devise` (did you mean `device`?); "
              "expected a variable or a built-in such as `seq` or `run.id`",
              "s.yaml:7:54: error: expected a QoS of 0, 1 or 2, got `5`",
              "s.yaml:8:32: error: bad topic filter `\"#/x\"`: " +
                  std::string(codec::to_string(codec::topic_error::misplaced_wildcard)),
              "s.yaml:8:47: error: expected a duration like 500ms or 2s, got `2`",
              "s.yaml:10:5: error: unknown key `extra` in step; expected one of: connect, "
              "subscribe, unsubscribe, publish, expect, expect_none, wait_log, disconnect, sleep, "
              "fault, send, expect_packet, expect_no_packet, expect_closed, id, description"}));
}

// Regressions found while fuzzing load_text (fuzz/scenario_load): bad input gets a clear error,
// never an exception, undefined behaviour, a stack overflow or a loader that does not finish.

TEST(LoadErrors, NumberTooLargeForADoubleIsAWrongValue) {
    // std::stod threw std::out_of_range past 1e308, out of load_text.
    const std::string digits = "1" + std::string(400, '0');
    EXPECT_EQ(errors_of("steps: [{sleep: " + digits + "ms}]\n"),
              list{"s.yaml:1:17: error: expected a duration like 500ms or 2s, got `" +
                   digits.substr(0, 57) + "...`"});
}

TEST(LoadErrors, IntegerTakesOneSignOnly) {
    // "--9223372036854775808" negated INT64_MIN (undefined behaviour); "--5" and "0x-5" passed.
    EXPECT_EQ(errors_of("clients: [{name: a}]\nsteps:\n"
                        "  - publish: {client: a, topic: t, repeat: --9223372036854775808}\n"
                        "  - publish: {client: a, topic: t, repeat: --5}\n"
                        "  - fault: {action: drop, count: 0x-5}\n"),
              (list{"s.yaml:3:44: error: expected an integer in 1..4294967295, got "
                    "`--9223372036854775808`",
                    "s.yaml:4:44: error: expected an integer in 1..4294967295, got `--5`",
                    "s.yaml:5:34: error: expected an integer in 0..4294967295, got `0x-5`"}));
}

TEST(LoadErrors, EmptyScenarioNameIsAnError) {
    // A file with `name: ""` loaded without errors as a scenario without a name.
    EXPECT_EQ(errors_of("name: \"\"\nsteps: []\n"),
              list{"s.yaml:1:7: error: expected a name, got an empty string"});
    EXPECT_EQ(errors_of("scenarios: [{name: '', steps: []}]\n"),
              list{"s.yaml:1:20: error: expected a name, got an empty string"});
}

TEST(LoadErrors, JsonAliasInsideItsOwnAnchorIsAnError) {
    // `&a [*a]` is a list that contains itself: converting it to JSON overflowed the stack.
    EXPECT_EQ(errors_of("clients: [{name: a}]\nsteps:\n"
                        "  - publish: {client: a, topic: t, payload: {json: &a [1, *a]}}\n"),
              list{"s.yaml:3:52: error: a JSON value that contains itself (an alias inside its "
                   "own anchor)"});
}

TEST(LoadErrors, JsonAliasesThatMultiplyAreCutShort) {
    // Nine levels of ten aliases each ("billion laughs") stood for 10^9 JSON values.
    std::string anchors = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]";
    for (int level = 1; level <= 8; ++level) {
        const std::string below = "*a" + std::to_string(level - 1);
        anchors += ", a" + std::to_string(level) + ": &a" + std::to_string(level) + " [" + below;
        for (int i = 1; i < 10; ++i)
            anchors += ", " + below;
        anchors += "]";
    }
    const load_result result = load_text(
        "clients: [{name: a}]\nsteps:\n  - publish: {client: a, topic: t, payload: "
        "{json: {" +
            anchors + ", all: *a8}}}\n",
        "s.yaml");
    ASSERT_EQ(result.errors.size(), 1u);
    EXPECT_NE(result.errors[0].message.find("too large a JSON value: a scenario's JSON values "
                                            "hold at most 10000 values"),
              std::string::npos)
        << result.errors[0].to_string();
}

TEST(LoadErrors, DeeplyNestedJsonIsAnError) {
    // Chained anchors nest without the YAML parser's own depth limit.
    std::string text =
        "clients: [{name: a}]\nsteps:\n  - publish: {client: a, topic: t, payload: "
        "{json: {a0: &a0 [x]";
    for (int level = 1; level <= 70; ++level)
        text += ", a" + std::to_string(level) + ": &a" + std::to_string(level) + " [*a" +
                std::to_string(level - 1) + "]";
    text += "}}}\n";
    const auto errors = errors_of(text);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0], "s.yaml:3:52: error: a JSON value nested deeper than 64 levels");
}

TEST(LoadErrors, LongRegexIsAnErrorNotAStackOverflow) {
    // libstdc++ compiles a pattern recursively: 50,000 characters overflowed the stack.
    EXPECT_EQ(errors_of("components: [{name: c, command: x}]\nsteps:\n"
                        "  - wait_log: {component: c, pattern: " +
                        std::string(50'000, 'a') + "}\n"),
              list{"s.yaml:3:39: error: regular expression of 50000 characters; at most 1000 are "
                   "allowed"});
}

TEST(LoadErrors, NestingTooDeepForTheYamlParserIsAClearSyntaxError) {
    // yaml-cpp stops at its depth limit with the message "bad file".
    const auto errors =
        errors_of("steps: " + std::string(100'000, '[') + std::string(100'000, ']') + "\n");
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_NE(errors[0].find(": error: syntax error: lists and maps nested too deeply"),
              std::string::npos)
        << errors[0];
}

TEST(LoadErrors, RawStepsNeedRawClientsAndSessionStepsNeedSessions) {
    EXPECT_EQ(errors_of("clients: [{name: r, raw: true}, {name: s}]\nsteps:\n"
                        "  - publish: {client: r, topic: t}\n"
                        "  - send: {client: s, packet: {type: pingreq}}\n"),
              (list{"s.yaml:3:14: error: `publish` needs a client with a session; `r` is raw "
                    "(use send and expect_packet)",
                    "s.yaml:4:11: error: `send` needs a raw client; `s` has a session (give it "
                    "`raw: true`)"}));
}

TEST(LoadErrors, RawClientRejectsSessionSettings) {
    EXPECT_EQ(errors_of("clients: [{name: r, raw: true, keep_alive: 5}]\nsteps: []\n"),
              list{"s.yaml:1:44: error: `keep_alive` does not apply to a raw client: put it in "
                   "the CONNECT packet it sends"});
}

TEST(LoadErrors, SentPacketIsCheckedByBuildingIt) {
    const std::string head = "clients: [{name: r, raw: true}]\nsteps:\n";
    EXPECT_EQ(errors_of(head + "  - send: {client: r, packet: {type: conect}}\n"),
              list{"s.yaml:3:38: error: expected a packet type (connect, connack, publish, "
                   "puback, pubrec, pubrel, pubcomp, subscribe, suback, unsubscribe, unsuback, "
                   "pingreq, pingresp, disconnect, auth), got `conect`"});
    EXPECT_EQ(errors_of(head + "  - send: {client: r, packet: {type: publish, qos: high}}\n"),
              list{"s.yaml:3:31: error: cannot build this publish packet: qos: expected an "
                   "integer 0..3"});
    EXPECT_EQ(errors_of(head + "  - send: {client: r, packet: {type: pingreq, id: 3}}\n"),
              list{"s.yaml:3:47: error: unknown key `id` in pingreq packet; expected one of: "
                   "type, verbatim_topics"});
}

TEST(LoadErrors, HexPlaceholdersAreChecked) {
    const std::string head = "clients: [{name: r, raw: true}]\nsteps:\n";
    EXPECT_EQ(errors_of(head + "  - send: {client: r, hex: \"82 {{size}} 00\"}\n"),
              list{"s.yaml:3:28: error: unknown placeholder `{{size}}` in hex; expected "
                   "{{len}}, {{client_id}}, {{topic T}} or {{str T}}"});
    EXPECT_EQ(errors_of(head + "  - send: {client: r, hex: \"82 0\"}\n"),
              list{"s.yaml:3:28: error: odd number of hex digits"});
}

TEST(LoadErrors, StatementIdsMustBeWellFormed) {
    EXPECT_EQ(errors_of("statements: [MQTT-3.1.0-2, 3.1.0-2]\nsteps: []\n"),
              list{"s.yaml:1:28: error: expected a statement id such as MQTT-3.1.2-4, got "
                   "`3.1.0-2`"});
}

TEST(LoadErrors, SavedNamesExistOnlyAfterTheirStep) {
    EXPECT_EQ(errors_of("clients: [{name: r, raw: true}]\nsteps:\n"
                        "  - send: {client: r, packet: {type: puback, packet_id: \"{{pid}}\"}}\n"
                        "  - expect_packet: {client: r, packet: {type: publish}, save: {pid: "
                        "packet_id}}\n"
                        "  - send: {client: r, packet: {type: puback, packet_id: \"{{pid}}\"}}\n"),
              list{"s.yaml:3:57: error: unknown template name `pid`; expected a variable or a "
                   "built-in such as `seq` or `run.id`"});
}

}  // namespace
}  // namespace harness::scenario
