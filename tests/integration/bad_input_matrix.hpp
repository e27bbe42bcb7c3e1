#pragma once
// The bad-input matrix's fixture: a tiny valid dataset (two 1 km squares, two practices, four
// registration rows, a dataset.toml) that each case writes into a fresh directory and breaks in one
// way, the run of one `catchment` command line, and the check that nothing was left behind.
#include "integration/process.hpp"
#include "paths.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace bad_input {

using test_support::TempDir;

/// The dataset's files by name, and its description as TOML settings ("table.key" -> TOML value).
struct Files {
    std::map<std::string, std::string> files = {
        {"areas.csv",
         "code,name,pop,WKT\n"
         "A1,Area one,100,\"POLYGON ((530000 180000,531000 180000,531000 181000,530000 181000,530000 180000))\"\n"
         "A2,Area two,200,\"POLYGON ((531000 180000,532000 180000,532000 181000,531000 181000,531000 180000))\"\n"},
        {"practices.csv",
         "code,name,x,y,list,pcn\n"
         "P1,One,530500,180500,1000,N1\n"
         "P2,Two,531500,180500,2000,N1\n"},
        {"registrations.csv",
         "practice,area,patients\n"
         "P1,A1,800\n"
         "P1,A2,200\n"
         "P2,A2,1900\n"
         "P2,NO2011,100\n"},
    };
    std::map<std::string, std::string> settings = {
        {"name", "\"tiny\""},
        {"areas.source", "\"areas.csv\""},
        {"areas.geometry_field", "\"WKT\""},
        {"areas.crs", "\"EPSG:27700\""},
        {"areas.id_field", "\"code\""},
        {"areas.name_field", "\"name\""},
        {"areas.population_field", "\"pop\""},
        {"practices.source", "\"practices.csv\""},
        {"practices.crs", "\"EPSG:27700\""},
        {"practices.id_field", "\"code\""},
        {"practices.name_field", "\"name\""},
        {"practices.x_field", "\"x\""},
        {"practices.y_field", "\"y\""},
        {"practices.list_size_field", "\"list\""},
        {"practices.reference_network_field", "\"pcn\""},
        {"registrations.source", "\"registrations.csv\""},
        {"registrations.practice_field", "\"practice\""},
        {"registrations.area_field", "\"area\""},
        {"registrations.patients_field", "\"patients\""},
    };
    /// When set, written as dataset.toml instead of the settings.
    std::optional<std::string> description;

    /// Replaces `from` (which must occur) by `to` in file `name`.
    void replace(const std::string& name, const std::string& from, const std::string& to) {
        std::string& text = files.at(name);
        const auto at = text.find(from);
        REQUIRE(at != std::string::npos);
        text.replace(at, from.size(), to);
    }

    std::string toml() const {
        std::map<std::string, std::string> tables;  // table -> its lines
        std::string top;
        for (const auto& [key, value] : settings) {
            const auto dot = key.find('.');
            if (dot == std::string::npos) top += key + " = " + value + "\n";
            else tables[key.substr(0, dot)] += key.substr(dot + 1) + " = " + value + "\n";
        }
        for (const auto& [table, lines] : tables) top += "\n[" + table + "]\n" + lines;
        return top;
    }

    void write(const TempDir& dir) const {
        for (const auto& [name, text] : files) dir.write(name, text);
        dir.write("dataset.toml", description ? *description : toml());
    }
};

/// Every file and directory under `root` with its size (directories as -1), for before/after listings.
inline std::map<std::string, std::intmax_t> listing(const std::filesystem::path& root) {
    std::map<std::string, std::intmax_t> out;
    std::error_code error;
    for (auto it = std::filesystem::recursive_directory_iterator(root, error); !error && it != std::filesystem::recursive_directory_iterator();
         it.increment(error)) {
        const bool directory = it->is_directory();
        out[std::filesystem::relative(it->path(), root).string()] = directory ? -1 : static_cast<std::intmax_t>(it->file_size());
    }
    return out;
}

inline std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) text.replace(at, from.size(), to);
    return text;
}

/// A small tmpfs mounted on `dir` (we are root in the test environment); unmounted when the object goes.
/// mounted() is false where mounting is not allowed: the case is then skipped with a warning.
class Tmpfs {
public:
    Tmpfs(const std::filesystem::path& dir, const std::string& options) : dir_(dir) {
        std::filesystem::create_directories(dir);
        mounted_ = integration::run("mount", {"-t", "tmpfs", "-o", options, "tmpfs", dir.string()}).exit_code == 0;
    }
    ~Tmpfs() {
        // Lazily: nothing may keep it busy, and a mount left behind would outlive the test's folder.
        if (mounted_) integration::run("umount", {"-l", dir_.string()});
    }
    Tmpfs(const Tmpfs&) = delete;
    Tmpfs& operator=(const Tmpfs&) = delete;
    bool mounted() const { return mounted_; }

private:
    std::filesystem::path dir_;
    bool mounted_ = false;
};

/// What a case may prepare beyond the files: a directory, a mount, a copied GeoPackage. Returns false
/// when the environment cannot provide it (the case is then skipped, with a warning).
using Setup = std::function<bool(const TempDir& dir, std::vector<std::unique_ptr<Tmpfs>>& mounts)>;

struct CliCase {
    std::string name;
    std::function<void(Files&)> edit;  // breaks the tiny dataset; may be empty
    std::vector<std::string> args;     // "{dir}" is the case's directory, "{sample}" the bundled sample folder
    int exit_code = 2;
    std::vector<std::string> messages;  // on stderr (stdout when the exit code is 0); "{dir}" expands
    Setup setup = {};
    std::vector<std::string> not_on_stderr = {};  // e.g. "listening on" for serve cases that must fail before listening
};

inline std::string expand(const std::string& text, const TempDir& dir) {
    return replace_all(replace_all(text, "{dir}", dir.path().string()), "{sample}", test_paths::sample_dir().string());
}

/// Runs one case in a fresh directory: the exit code, the messages, and that the command left the
/// directory exactly as it found it (no output file, no temporary file, no staging directory).
/// Returns false when the case was skipped.
inline bool run_case(const CliCase& c) {
    TempDir dir;
    Files files;
    if (c.edit) c.edit(files);
    files.write(dir);
    std::vector<std::unique_ptr<Tmpfs>> mounts;
    if (c.setup && !c.setup(dir, mounts)) {
        WARN("skipped (the environment cannot provide it): " << c.name);
        return false;
    }
    std::vector<std::string> args;
    for (const std::string& a : c.args) args.push_back(expand(a, dir));
    const auto before = listing(dir.path());
    const bool serve = !args.empty() && args.front() == "serve";
    const std::string binary = test_paths::catchment_binary().string();
    std::vector<std::string> command = {"-k", "5", "60", binary};
    command.insert(command.end(), args.begin(), args.end());
    const integration::ProcessResult r = integration::run("timeout", command);
    INFO("catchment " << [&] {
        std::string line;
        for (const std::string& a : args) line += integration::shell_quote(a) + " ";
        return line;
    }());
    INFO("exit " << r.exit_code << "\nstderr: " << r.err << "\nstdout: " << r.out.substr(0, 2000));
    CHECK(r.exit_code == c.exit_code);
    const std::string& text = c.exit_code == 0 ? r.out : r.err;
    for (const std::string& m : c.messages) CHECK_THAT(text, Catch::Contains(expand(m, dir)));
    for (const std::string& m : c.not_on_stderr) CHECK_THAT(r.err, !Catch::Contains(m));
    if (c.exit_code != 0) {
        // One error line, and never an internal error or a crash.
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') <= (serve ? 2 : 1));
        CHECK_THAT(r.err, !Catch::Contains("internal error"));
    }
    // Nothing left behind: the same files, of the same sizes (mount points included).
    const auto after = listing(dir.path());
    CHECK(after == before);
    for (std::size_t i = 0; i + 1 < args.size(); ++i) {
        if (args[i] == "--out" || args[i] == "--report" || args[i] == "--style") {
            if (before.count(std::filesystem::relative(args[i + 1], dir.path()).string()) == 0) {
                CHECK_FALSE(std::filesystem::exists(args[i + 1]));
            }
        }
    }
    mounts.clear();
    return true;
}

}  // namespace bad_input
