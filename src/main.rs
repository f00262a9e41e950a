fn main() {
    std::process::exit(qcdc::cli::main());
}
