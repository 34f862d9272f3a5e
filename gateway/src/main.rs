//! The `kakehashi` binary: parse the command line, run it, turn the outcome into an exit code
//! (design.md §5: 0 ok, 2 usage, 65 input rejected, 69 unavailable, 70 internal, 74 I/O, 78 configuration).

use std::process::ExitCode;

fn main() -> ExitCode {
    kakehashi::cli::main()
}
