// Writes an England-sized synthetic dataset for benchmarks: a grid of square areas (CSV with WKT,
// British National Grid), practices at random points with random list sizes, and registrations
// spread over the areas near each practice. Deterministic for a given seed.
//
//   make_synthetic_dataset OUT_DIR [--side 182] [--practices 6500] [--seed 1]
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace {

constexpr double kCell = 2000;        // metres: 182 x 182 cells of 4 km2 is about England's 130,000 km2
constexpr double kOriginX = 150000, kOriginY = 50000;
constexpr int kGroupCells = 30;       // 30 x 30 cells share a constraint group (like an ICB)
constexpr double kReach = 4000;       // patients live within this distance of their practice
constexpr double kListInflation = 1.18;  // GP lists exceed resident population by about 18%

struct Options {
    std::filesystem::path out;
    int side = 182;
    int practices = 6500;
    std::uint64_t seed = 1;
};

Options parse(int argc, char** argv) {
    Options o;
    if (argc < 2 || std::string(argv[1]) == "--help") {
        std::printf("usage: make_synthetic_dataset OUT_DIR [--side 182] [--practices 6500] [--seed 1]\n");
        std::exit(argc < 2 ? 2 : 0);
    }
    o.out = argv[1];
    for (int i = 2; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag == "--side") o.side = std::atoi(argv[i + 1]);
        else if (flag == "--practices") o.practices = std::atoi(argv[i + 1]);
        else if (flag == "--seed") o.seed = std::strtoull(argv[i + 1], nullptr, 10);
        else {
            std::fprintf(stderr, "make_synthetic_dataset: unknown option %s\n", flag.c_str());
            std::exit(2);
        }
    }
    return o;
}

double uniform(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

}  // namespace

int main(int argc, char** argv) {
    const Options o = parse(argc, argv);
    std::filesystem::create_directories(o.out);
    std::mt19937_64 rng(o.seed);
    const int n = o.side;
    auto cell_code = [](int row, int col) {
        std::string code = "C";
        code += std::to_string(row * 100000 + col);
        return code;
    };

    // Practices at random points; list sizes log-normal around 9,000 like English practices.
    struct Practice {
        double x, y;
        std::int64_t list;
    };
    std::vector<Practice> practices;
    for (int p = 0; p < o.practices; ++p) {
        const double x = kOriginX + uniform(rng) * n * kCell, y = kOriginY + uniform(rng) * n * kCell;
        const double z = std::sqrt(-2 * std::log(std::max(uniform(rng), 1e-12))) * std::cos(2 * 3.141592653589793 * uniform(rng));
        practices.push_back({x, y, std::clamp<std::int64_t>(static_cast<std::int64_t>(9000 * std::exp(0.45 * z)), 1500, 45000)});
    }

    // Each practice's list spread over the cells within reach, weighted by closeness.
    std::map<std::pair<int, int>, std::int64_t> residents;  // (row, col) -> registered patients living there
    std::ofstream reg(o.out / "registrations.csv");
    reg << "practice,area,patients\n";
    for (int p = 0; p < o.practices; ++p) {
        const Practice& pr = practices[static_cast<std::size_t>(p)];
        const int col0 = static_cast<int>((pr.x - kOriginX) / kCell), row0 = static_cast<int>((pr.y - kOriginY) / kCell);
        const int r = static_cast<int>(std::ceil(kReach / kCell));
        std::vector<std::pair<std::pair<int, int>, double>> weights;
        double total = 0;
        for (int row = std::max(0, row0 - r); row <= std::min(n - 1, row0 + r); ++row) {
            for (int col = std::max(0, col0 - r); col <= std::min(n - 1, col0 + r); ++col) {
                const double cx = kOriginX + (col + 0.5) * kCell, cy = kOriginY + (row + 0.5) * kCell;
                const double d = std::hypot(cx - pr.x, cy - pr.y);
                if (d > kReach) continue;
                const double w = 1 / (1 + (d / 1000) * (d / 1000));
                weights.push_back({{row, col}, w});
                total += w;
            }
        }
        std::int64_t left = pr.list;
        for (std::size_t i = 0; i < weights.size(); ++i) {
            const auto patients = i + 1 == weights.size() ? left : static_cast<std::int64_t>(std::floor(pr.list * weights[i].second / total));
            if (patients <= 0) continue;
            left -= patients;
            residents[weights[i].first] += patients;
            reg << "S" << p << "," << cell_code(weights[i].first.first, weights[i].first.second) << "," << patients << "\n";
        }
    }

    std::ofstream prac(o.out / "practices.csv");
    prac << "code,name,x,y\n";
    for (int p = 0; p < o.practices; ++p) {
        char line[128];
        std::snprintf(line, sizeof line, "S%d,Synthetic practice %d,%.1f,%.1f\n", p, p, practices[static_cast<std::size_t>(p)].x,
                      practices[static_cast<std::size_t>(p)].y);
        prac << line;
    }

    std::ofstream areas(o.out / "areas.csv");
    areas << "code,grp,population,WKT\n";
    for (int row = 0; row < n; ++row) {
        for (int col = 0; col < n; ++col) {
            const double x = kOriginX + col * kCell, y = kOriginY + row * kCell;
            const auto it = residents.find({row, col});
            const std::int64_t people = it == residents.end() ? 50 : static_cast<std::int64_t>(static_cast<double>(it->second) / kListInflation) + 50;
            char line[256];
            std::snprintf(line, sizeof line, "%s,G%02d%02d,%lld,\"POLYGON ((%.0f %.0f,%.0f %.0f,%.0f %.0f,%.0f %.0f,%.0f %.0f))\"\n",
                          cell_code(row, col).c_str(), row / kGroupCells, col / kGroupCells, static_cast<long long>(people), x, y,
                          x + kCell, y, x + kCell, y + kCell, x, y + kCell, x, y);
            areas << line;
        }
    }

    std::ofstream toml(o.out / "dataset.toml");
    toml << "name = \"Synthetic England-sized dataset (" << n * n << " areas, " << o.practices << " practices, seed " << o.seed << ")\"\n"
         << "[areas]\nsource = \"areas.csv\"\ngeometry_field = \"WKT\"\ncrs = \"EPSG:27700\"\nid_field = \"code\"\n"
         << "group_field = \"grp\"\npopulation_field = \"population\"\n"
         << "[practices]\nsource = \"practices.csv\"\nid_field = \"code\"\nname_field = \"name\"\nx_field = \"x\"\ny_field = \"y\"\n"
         << "crs = \"EPSG:27700\"\n"
         << "[registrations]\nsource = \"registrations.csv\"\npractice_field = \"practice\"\narea_field = \"area\"\npatients_field = \"patients\"\n";
    std::printf("wrote %d areas, %d practices to %s\n", n * n, o.practices, o.out.c_str());
    return 0;
}
