//! Nothing here: the end-to-end tests live in `it/`, one test binary (`cargo test -p kakehashi-tests`).
