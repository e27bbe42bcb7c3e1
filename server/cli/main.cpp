#include "server/cli/cli.hpp"

int main(int argc, char** argv) { return server::run_cli(argc, argv); }
