fn main() {
    synack::start();
}
