// Entry point of `mqtt-harness`: one binary, one subcommand per job.
#include <CLI/CLI.hpp>
#include <string>

#include "bench_command.hpp"
#include "broker_command.hpp"
#include "decode_command.hpp"
#include "exit_status.hpp"
#include "fuzz_command.hpp"
#include "harness/version.hpp"
#include "pub_command.hpp"
#include "record_command.hpp"
#include "report_command.hpp"
#include "scenario_commands.hpp"
#include "sub_command.hpp"

int main(int argc, char** argv) {
    CLI::App app{
        "mqtt-harness: test systems whose components talk MQTT.\n"
        "Scenarios, an embedded broker, conformance checks and fuzzing over one MQTT 3.1/3.1.1/5.0 "
        "codec."};
    app.set_version_flag("--version", std::string("mqtt-harness ") + harness::version);
    app.require_subcommand(1);
    harness::cli::add_decode_command(app);
    harness::cli::add_pub_command(app);
    harness::cli::add_sub_command(app);
    harness::cli::add_bench_command(app);
    harness::cli::add_broker_command(app);
    harness::cli::add_run_command(app);
    harness::cli::add_validate_command(app);
    harness::cli::add_report_command(app);
    harness::cli::add_conformance_command(app);
    harness::cli::add_stand_in_command(app);
    harness::cli::add_fuzz_command(app);
    harness::cli::add_record_command(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::RuntimeError& e) {
        return e.get_exit_code();
    } catch (const CLI::ParseError& e) {
        const int status = app.exit(e);
        return status == 0 ? 0 : harness::cli::exit_status::usage;
    }
    return harness::cli::exit_status::ok;
}
