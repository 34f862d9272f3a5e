//! The `kakehashi` binary: parse the command line, run it, turn the outcome into an exit code
//! (design.md §5: 0 ok, 2 usage, 65 input rejected, 69 unavailable, 70 internal, 74 I/O, 78 configuration).

use std::process::ExitCode;

/// mimalloc instead of the system allocator: validation builds and drops large JSON trees, which glibc
/// malloc hands back to the kernel and faults in again (a fifth of the time of `kakehashi validate` on
/// the R4 examples; BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    kakehashi::cli::main()
}
