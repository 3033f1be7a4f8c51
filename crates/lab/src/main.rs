fn main() {
    eprintln!("synack-lab: no experiments yet");
    std::process::exit(2);
}
