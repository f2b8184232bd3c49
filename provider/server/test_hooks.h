// Test-only seams for the end-to-end tests: crash or pause the provider at
// the N-th mutating filesystem call, chosen by the environment OpenTofu
// passes on to the plugin. The Env is chosen here, where the provider is
// assembled (serve.cc hands it to every resource); the resources never know
// whether they run over it.
//
// Compiled in only when the build sets WILDSIDE_TEST_HOOKS (the dev, ci and
// asan presets; CMake refuses it for Release and static builds). In any
// other build TestHookEnv() returns nullptr and nothing here reads the
// environment.
//
// With hooks compiled in, these variables of the provider process decide:
//   WILDSIDE_TEST_CRASH_AT=N         N > 0: SIGKILL the process at the N-th
//                                    mutating call (tree/testing/crash_env.h);
//                                    N = 0: only count the calls.
//   WILDSIDE_TEST_CRASH_DROP_UNSYNCED=1
//                                    at the crash, first revert every effect
//                                    no sync made durable (a power cut).
//   WILDSIDE_TEST_PAUSE_AT=N and WILDSIDE_TEST_PAUSE_DIR=<dir>
//                                    just before the N-th mutating call, open
//                                    the fifo <dir>/resume for reading, write
//                                    "<pid>\n" to the fifo <dir>/paused, then
//                                    read `resume` until end of file. The test
//                                    holds `paused` open for reading and
//                                    `resume` open read-write from the start,
//                                    so no open blocks: it learns that the
//                                    provider is inside an apply, holding
//                                    the checkout's lock, and lets it go on by
//                                    closing `resume`. No timing involved.
// Which calls count is CrashEnv's rule: only mutating calls, so reads and
// plans never do. Calls are counted over the whole process (the tests drive
// one resource); after each mutating call the running count is logged at
// INFO as "test hooks: <n> mutating calls", so the last such line of a run
// is its total.
//
// Thread-safe: CrashEnv serialises mutating calls.
#ifndef WILDSIDE_PROVIDER_SERVER_TEST_HOOKS_H_
#define WILDSIDE_PROVIDER_SERVER_TEST_HOOKS_H_

#include "tree/env.h"

namespace wildside::server {

// The Env the provider's resources use: nullptr (the real filesystem) unless
// this is a test build started with one of the variables above.
tree::Env* TestHookEnv();

}  // namespace wildside::server

#endif  // WILDSIDE_PROVIDER_SERVER_TEST_HOOKS_H_
