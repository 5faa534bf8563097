//! End-to-end tests across server and devices (see story.rs). This crate
//! has no code of its own: its tests drive the real `homeward` and
//! `homeward-hq` binaries, built by the workspace.
