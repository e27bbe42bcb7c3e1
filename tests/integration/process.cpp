#include "process.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace integration {

std::string shell_quote(const std::string& argument) {
    std::string quoted = "'";
    for (const char c : argument) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

std::string slurp(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::int64_t ogr_sql_number(const std::string& file, const std::string& sql) {
    const ProcessResult r = run("ogrinfo", {"-ro", "-q", "-sql", sql, file});
    std::smatch m;
    if (r.exit_code != 0 || !std::regex_search(r.out, m, std::regex(R"(\) = (-?[0-9]+))"))) {
        throw std::runtime_error("ogrinfo -sql \"" + sql + "\" on " + file + " failed: " + r.err);
    }
    return std::stoll(m[1]);
}

ProcessResult run(const std::string& program, const std::vector<std::string>& arguments) {
    std::string pattern = (std::filesystem::temp_directory_path() / "catchment-run-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    const std::filesystem::path dir = pattern;
    std::string command = shell_quote(program);
    for (const std::string& a : arguments) {
        command += ' ';
        command += shell_quote(a);
    }
    command += " >";
    command += shell_quote((dir / "out").string());
    command += " 2>";
    command += shell_quote((dir / "err").string());
    command += " </dev/null";
    const int status = std::system(command.c_str());
    ProcessResult result;
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    result.out = slurp(dir / "out");
    result.err = slurp(dir / "err");
    std::filesystem::remove_all(dir);
    return result;
}

}  // namespace integration
