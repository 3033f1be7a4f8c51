//! The whole app, #/open included, loaded on demand by the other two builds
//! (src/pages/load_full.rs) into the element they prepared; see the `open` feature in Cargo.toml.
fn main() {
    synack::start_in("app-open");
}
