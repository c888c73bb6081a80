fn main() -> std::process::ExitCode {
    planrun::cli::main()
}
