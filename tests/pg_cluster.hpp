#pragma once
// A throwaway PostgreSQL + PostGIS cluster for the plan store's tests (deploy/pg-cluster.sh): in a
// temporary folder, on a Unix socket there only, stopped and removed when the object goes.
#include "integration/process.hpp"
#include "paths.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace test_support {

class PgCluster {
public:
    PgCluster() { start(); }
    ~PgCluster() { stop(); }
    PgCluster(const PgCluster&) = delete;
    PgCluster& operator=(const PgCluster&) = delete;

    /// The store location: "PG:host=<folder> port=5432 dbname=catchment user=postgres".
    const std::string& location() const { return location_; }
    /// Stops the server (the data stay): the store becomes unreachable.
    void stop() { integration::run(script(), {"stop", (dir_.path() / "cluster").string()}); }
    /// Starts it again after stop().
    void restart() { start(); }

private:
    static std::string script() { return (test_paths::source_dir() / "deploy" / "pg-cluster.sh").string(); }
    void start() {
        const auto started = integration::run(script(), {"start", (dir_.path() / "cluster").string(), "5432"});
        INFO(started.err);
        REQUIRE(started.exit_code == 0);
        location_ = started.out.substr(0, started.out.find('\n'));
    }

    TempDir dir_;
    std::string location_;
};

}  // namespace test_support
