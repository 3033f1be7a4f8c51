//! Every page but #/open, loaded on demand by the first-load build (src/pages/load_full.rs) into
//! the element it prepared; see the `full` feature in Cargo.toml.
fn main() {
    synack::start_in("app-full");
}
