#include "data/errors.hpp"
#include "data/loader.hpp"
#include "data/plan_store.hpp"
#include "data/plan_writer.hpp"
#include "geo/parallel.hpp"
#include "geo/plan.hpp"
#include "geo/plan_snapshot.hpp"
#include "server/api/font_routes.hpp"
#include "server/api/routes.hpp"
#include "server/api/web_assets.hpp"
#include "server/cli/cli.hpp"
#include "server/cli/commands.hpp"
#include "server/cli/planning_options.hpp"
#include "server/cli/progress_bar.hpp"
#include "server/cli/serve_state.hpp"
#include "server/http/http_server.hpp"
#include "server/http/metrics.hpp"
#include "server/service/service.hpp"
#include "tilesets/glyphs.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <stop_token>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include <sys/resource.h>

namespace server {

namespace {

struct ServeFlags {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;
    unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    std::string token;
    std::string public_url;
    std::vector<std::string> cors_origins;
    std::size_t tile_cache_mb = 256;
    int maxzoom = 16;
    int prerender_maxzoom = 6;
    std::size_t max_connections = ServerLimits{}.max_connections;
    std::size_t max_plans = 16;
    std::size_t plans_memory_mb = 512;
    unsigned plan_timeout_s = 60;
    bool quiet = false;
    std::string access_log = "-";
    double access_log_max_mb = 100;
    unsigned access_log_keep = 5;
    std::string web_dir = CATCHMENT_WEB_DIR;
    std::string fonts_dir = CATCHMENT_FONTS_DIR;
    std::string store = "catchment-store";
    std::string plan_file;
    unsigned store_poll_s = 10;
};

void add_options(CLI::App& command, ServeFlags& flags) {
    const std::string group = "Server";
    command.add_option("--host", flags.host,
                       "Address to listen on (an IP address). On an address other than loopback without --token the server "
                       "only serves reads (POST /plans and reloads answer 403)")
        ->capture_default_str()->group(group);
    command.add_option("--port", flags.port, "Port to listen on (0: any free port)")->capture_default_str()->group(group);
    command.add_option("--threads", flags.threads, "Threads answering requests (default: one per core)")
        ->check(CLI::Range(1, 256))->group(group);
    command.add_option("--token", flags.token, "Access token that POST /plans and POST /admin/reload need (Authorization: Bearer TOKEN)")
        ->group(group);
    command.add_option("--public-url", flags.public_url,
                       "The URL clients reach the server at (e.g. https://maps.example.org/catchment), used in every link, "
                       "TileJSON and style. Default: from each request (Host, or a proxy's Forwarded / X-Forwarded-Host, "
                       "-Proto and -Prefix)")
        ->type_name("URL")->group(group);
    command.add_option("--cors-origin", flags.cors_origins,
                       "An origin (https://app.example.org, or *) whose web pages may send POST /plans and reloads; repeatable. "
                       "Reading is open to every origin; writing only to the server's own pages unless allowed here")
        ->type_name("ORIGIN")->group(group);
    command.add_option("--tile-cache-mb", flags.tile_cache_mb, "Memory for rendered tiles, in MB")
        ->capture_default_str()->check(CLI::Range(0, 1 << 20))->group(group);
    command.add_option("--maxzoom", flags.maxzoom, "Highest tile zoom served")->capture_default_str()->check(CLI::Range(0, 22))->group(group);
    command.add_option("--prerender-maxzoom", flags.prerender_maxzoom,
                       "Tiles from zoom 0 to this one are rendered into the cache in the background once a dataset is loaded "
                       "(-1: none)")
        ->capture_default_str()->check(CLI::Range(-1, 22))->group(group);
    command.add_option("--max-connections", flags.max_connections, "Open connections at once; further ones are closed at once")
        ->capture_default_str()->check(CLI::Range(1, 1 << 20))->group(group);
    command.add_option("--max-plans", flags.max_plans, "Plans made with POST /plans kept at once (the least recently used go first)")
        ->capture_default_str()->check(CLI::Range(1, 10000))->group(group);
    command.add_option("--plans-memory-mb", flags.plans_memory_mb, "Approximate memory the kept plans may use, in MB")
        ->capture_default_str()->check(CLI::Range(1, 1 << 20))->group(group);
    command.add_option("--plan-timeout-s", flags.plan_timeout_s, "Time limit of one POST /plans computation, in seconds")
        ->capture_default_str()->check(CLI::Range(1, 86400))->group(group);
    command.add_option("--web-dir", flags.web_dir, "Folder holding the map viewer served at / (index.html, app.js, app.css, "
                                                   "node_modules/maplibre-gl)")
        ->capture_default_str()->group(group);
    command.add_option("--fonts-dir", flags.fonts_dir,
                       "Folder of label glyphs served at /fonts/{fontstack}/{range}.pbf, one folder per font stack as `catchment "
                       "glyphs` writes them (the build makes DejaVu Sans's)")
        ->capture_default_str()->group(group);
    command.add_option("--store", flags.store,
                       "Where plans persist (the served plan and every POST /plans), so that they survive restarts and a start "
                       "needs no planning when its plan is stored: a folder of GeoPackages (created when missing), or none "
                       "(memory only)")
        ->capture_default_str()->type_name("DIR|none")->group(group);
    command.add_option("--store-poll-s", flags.store_poll_s,
                       "Seconds between looks at the plan store for plans another server deleted (they then leave this one's "
                       "memory too)")
        ->capture_default_str()->check(CLI::Range(1, 86400))->group(group);
    command.add_option("--plan", flags.plan_file,
                       "Serve this plan (a GeoPackage written by catchment plan, or downloaded from /plans/{id}.gpkg) instead "
                       "of planning; it must have been made from this dataset")
        ->type_name("FILE.gpkg")->group(group);
    command.add_flag("--quiet", flags.quiet, "Do not log each request (as --access-log off)")->group(group);
    command.add_option("--access-log", flags.access_log,
                       "Where each request is logged: - (stderr), off, or a file that is rotated by size (FILE.1 the newest "
                       "rotated, up to FILE.<--access-log-keep>)")
        ->capture_default_str()->type_name("FILE|-|off")->group(group);
    command.add_option("--access-log-max-mb", flags.access_log_max_mb, "Size at which the access log file is rotated, in MB")
        ->capture_default_str()->check(CLI::Range(0.001, 1e6))->group(group);
    command.add_option("--access-log-keep", flags.access_log_keep, "Rotated access log files kept")
        ->capture_default_str()->check(CLI::Range(0u, 1000u))->group(group);
}

/// --public-url as links start with it: http(s)://host[:port][/path], no trailing slash.
std::string checked_public_url(std::string url) {
    while (!url.empty() && url.back() == '/') url.pop_back();
    if (url.empty()) return url;
    const auto scheme_end = url.find("://");
    const std::string scheme = scheme_end == std::string::npos ? std::string() : url.substr(0, scheme_end);
    const std::string rest = scheme_end == std::string::npos ? std::string() : url.substr(scheme_end + 3);
    const std::string host = rest.substr(0, rest.find('/'));
    const bool plain = std::all_of(url.begin(), url.end(), [](char c) { return c > ' ' && c < 127 && c != '?' && c != '#' && c != '"'; });
    if ((scheme != "http" && scheme != "https") || host.empty() || !plain) {
        throw UsageError("--public-url " + url + ": expected http(s)://HOST[:PORT][/PATH], e.g. https://maps.example.org/catchment");
    }
    return url;
}

bool is_loopback(const std::string& host) {
    if (host == "localhost") return true;
    boost::system::error_code error;
    const auto address = boost::asio::ip::make_address(host, error);
    return !error && address.is_loopback();
}

/// Thrown out of a load when the server is asked to stop. Not a std::exception: nothing on the way
/// mistakes it for a failure of the data.
struct LoadStopped {};

/// Progress that gives up (throws LoadStopped) once `stopping` says so: SIGTERM during a load is then
/// obeyed at the next row or stage, not after the whole load.
class StoppableProgress : public data::Progress {
public:
    StoppableProgress(data::Progress& shown, std::function<bool()> stopping) : shown_(shown), stopping_(std::move(stopping)) {}
    void begin(std::string_view stage, std::int64_t total) override {
        checkpoint();
        shown_.begin(stage, total);
    }
    void update(std::int64_t done) override {
        checkpoint();
        shown_.update(done);
    }
    void end() override { shown_.end(); }
    void checkpoint() override {
        if (stopping_()) throw LoadStopped{};
    }

private:
    data::Progress& shown_;
    std::function<bool()> stopping_;
};

/// Bounds the time a stop request (SIGTERM, SIGINT) waits for the initial load: the load gives up at its
/// next checkpoint, and should one step run long (a slow file, a large GEOS operation), the process ends
/// here once `grace` has passed. Nothing is written during a load, so nothing is left half done.
class LoadStopDeadline {
public:
    LoadStopDeadline(const HttpServer& server, std::chrono::milliseconds grace)
        : thread_([&server, grace](std::stop_token loaded) {
              constexpr auto kPoll = std::chrono::milliseconds(10);
              while (!loaded.stop_requested() && !server.stopping()) std::this_thread::sleep_for(kPoll);
              const auto deadline = std::chrono::steady_clock::now() + grace;
              while (!loaded.stop_requested()) {
                  if (std::chrono::steady_clock::now() >= deadline) {
                      std::fprintf(stderr, "\ncatchment: stopped while loading the dataset\n");
                      std::fflush(stderr);
                      std::_Exit(kExitOk);
                  }
                  std::this_thread::sleep_for(kPoll);
              }
          }) {}
    /// The load has ended (done or failed): the deadline no longer applies.
    void loaded() { thread_.request_stop(); }

private:
    std::jthread thread_;
};

/// Lifts the soft limit on open files to the hard one, as each connection takes a descriptor: a
/// default soft limit of 1,024 would refuse connections long before --max-connections.
void raise_open_file_limit(std::size_t wanted) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
        ::getrlimit(RLIMIT_NOFILE, &limit);
    }
    if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < wanted) {
        std::fprintf(stderr, "catchment: warning: this process may open %llu files; --max-connections %zu needs about %zu\n",
                     static_cast<unsigned long long>(limit.rlim_cur), wanted - 64, wanted);
    }
}

/// Renders the low zooms of the served state into the tile cache on a thread of its own, after each
/// load: the tiles every map opens with are then ready. A newer state (or the end) stops the previous run.
class BackgroundPrerender {
public:
    BackgroundPrerender(Service& service, int maxzoom) : service_(service), maxzoom_(maxzoom) {}
    void start() {
        const auto state = service_.current();
        if (maxzoom_ < 0 || !state) return;
        const std::lock_guard<std::mutex> lock(mutex_);
        thread_ = std::jthread([this, state](std::stop_token stop) {  // (the old run is stopped and joined first)
            geo::lower_thread_priority();
            try {
                const auto started = std::chrono::steady_clock::now();
                const std::size_t tiles = prerender_tiles(service_, *state, maxzoom_, [&stop] { return stop.stop_requested(); });
                if (!stop.stop_requested()) {
                    std::fprintf(stderr, "catchment: prerendered %zu tiles of version %llu, zooms 0 to %d, in %.1f s\n", tiles,
                                 static_cast<unsigned long long>(state->version), maxzoom_,
                                 std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
                }
            } catch (const std::exception& error) {
                std::fprintf(stderr, "catchment: prerendering tiles failed (they will be made on request): %s\n", error.what());
            }
        });
    }

private:
    Service& service_;
    int maxzoom_;
    std::mutex mutex_;
    std::jthread thread_;
};

/// Reads the dataset description again (its file may have changed), rebuilds the state with the planning
/// options the server started with and installs it as the next version; the old state serves until
/// then, and goes on serving when anything fails. Never throws.
ReloadResult reload_state(Service& service, const DatasetOptions& dataset, const PlanningOptions& planning,
                          const geo::PlanOptions& options, int maxzoom, BackgroundPrerender& prerender, const PlanSources& sources,
                          BackgroundStore& storing, const std::function<bool()>& stopping) {
    geo::lower_thread_priority();  // (the SIGHUP thread or the blocking pool: tiles and features go first)
    ReloadResult result;
    const auto current = service.current();
    if (!current) {
        result.outcome = ReloadResult::Outcome::busy;
        result.message = "the dataset is still loading";
        return result;
    }
    result.version = current->version;
    const auto started = std::chrono::steady_clock::now();
    try {
        data::Progress quiet;
        StoppableProgress progress(quiet, stopping);
        LoadedState loaded = load_state(dataset.description(), planning, options, current->version + 1, maxzoom, progress, sources,
                                        [&progress] { progress.checkpoint(); });
        auto next = loaded.state;
        // Unchanged data makes the same tiles: they stay cached (and their ETags valid) for the new version.
        if (next->tiles_fingerprint == current->tiles_fingerprint) next->cache_key = current->cache_key;
        service.install(std::move(next));
        prerender.start();
        storing.start(loaded);
        result.outcome = ReloadResult::Outcome::reloaded;
        result.version = current->version + 1;
    } catch (const LoadStopped&) {
        result.message = "the server is stopping";
    } catch (const data::InputError& error) {
        result.message = error.what();
    } catch (const geo::PlanError& error) {
        result.message = error.what();
    } catch (const std::exception& error) {
        std::fprintf(stderr, "catchment: reload failed unexpectedly: %s\n", error.what());
        result.message = "unexpected error while reloading (see the server log)";
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return result;
}

/// Runs `reload` on its own thread each time the process gets SIGHUP, off the io threads.
class HangupReloader {
public:
    explicit HangupReloader(ReloadFunction reload) : reload_(std::move(reload)) {
        signals_.add(SIGHUP);
        wait();
        thread_ = std::thread([this] { ioc_.run(); });
    }
    ~HangupReloader() {
        ioc_.stop();
        thread_.join();
    }
    HangupReloader(const HangupReloader&) = delete;
    HangupReloader& operator=(const HangupReloader&) = delete;

private:
    void wait() {
        signals_.async_wait([this](const boost::system::error_code& error, int) {
            if (error) return;
            const ReloadResult result = reload_();
            switch (result.outcome) {
                case ReloadResult::Outcome::reloaded:
                    std::fprintf(stderr, "catchment: reloaded version %llu in %.2f s\n",
                                 static_cast<unsigned long long>(result.version), result.seconds);
                    break;
                case ReloadResult::Outcome::busy:
                    std::fprintf(stderr, "catchment: reload skipped: %s\n", result.message.c_str());
                    break;
                case ReloadResult::Outcome::failed:
                    std::fprintf(stderr, "catchment: reload failed, still serving version %llu: %s\n",
                                 static_cast<unsigned long long>(result.version), result.message.c_str());
                    break;
            }
            wait();
        });
    }

    ReloadFunction reload_;
    boost::asio::io_context ioc_;
    boost::asio::signal_set signals_{ioc_};
    std::thread thread_;
};

}  // namespace

Command add_serve_command(CLI::App& app) {
    CLI::App* command = app.add_subcommand(
        "serve", "Load the dataset, plan its networks and serve them over HTTP: OGC API - Features, vector tiles, "
                 "plans on request (POST /plans), coverage gaps, /health, /ready and /metrics");
    auto flags = std::make_shared<ServeFlags>();
    auto dataset = std::make_shared<DatasetOptions>(*command);
    auto planning = std::make_shared<PlanningOptions>(*command);
    add_options(*command, *flags);
    command->footer("Example: catchment serve data/sample --constraint-field lad11cd --port 8080");
    return {command, [flags, dataset, planning] {
                std::string host = flags->host == "localhost" ? "127.0.0.1" : flags->host;
                boost::system::error_code error;
                boost::asio::ip::make_address(host, error);
                if (error) throw UsageError("--host " + flags->host + " is not an IP address");
                const std::string public_url = checked_public_url(flags->public_url);
                // On a public address without a token anyone could start plans: serve reads only.
                const WriteAccess access{flags->token, !is_loopback(host) && flags->token.empty()};
                const geo::PlanOptions options = planning->options();
                const data::DatasetDescription description = dataset->description();
                // A missing or unreadable file, layer or field stops the server before it listens; the
                // rows are read (and checked) once it answers /health, as a large dataset takes minutes.
                data::check_sources(description);

                PlanSources sources;
                sources.plan_file = flags->plan_file;
                if (!sources.plan_file.empty() && !data::read_plan_archive(sources.plan_file, false)) {  // (the data are checked once loaded)
                    throw data::InputError({sources.plan_file, {}, {}, {}}, "not a plan written by catchment plan (it has no catchment_plan table)");
                }
                if (flags->store != "none") sources.store = data::open_plan_store(flags->store);  // unusable: exit 2 before listening
                PlanCache::Limits plan_limits;
                plan_limits.max_plans = flags->max_plans;
                plan_limits.max_bytes = flags->plans_memory_mb << 20;
                Service service(flags->tile_cache_mb * 1024 * 1024, plan_limits, sources.store);
                service.set_tile_maxzoom(flags->maxzoom);
                BackgroundPrerender prerender(service, flags->prerender_maxzoom);
                BackgroundStore storing(sources);
                StorePoller poller(service, std::chrono::seconds(flags->store_poll_s));
                Metrics metrics;
                ServerOptions server_options;
                server_options.host = host;
                server_options.port = flags->port;
                server_options.threads = flags->threads;
                server_options.access_log = !flags->quiet && flags->access_log != "off";
                if (flags->access_log != "-" && flags->access_log != "off") server_options.access_log_file.path = flags->access_log;
                server_options.access_log_file.max_bytes = static_cast<std::size_t>(flags->access_log_max_mb * 1024 * 1024);
                server_options.access_log_file.keep = flags->access_log_keep;
                try {
                    if (server_options.access_log) server_options.access_log_file.validate();
                } catch (const std::invalid_argument& unusable) {
                    throw UsageError(std::string("--access-log: ") + unusable.what());
                }
                server_options.handle_signals = true;
                server_options.limits.max_connections = flags->max_connections;
                server_options.probe_paths = {"/health", "/ready"};
                raise_open_file_limit(flags->max_connections + server_options.limits.probe_connections + 64);
                HttpServer server(server_options);
                const std::uint16_t port = server.listen();
                std::string url = "http://";
                url += host.find(':') != std::string::npos ? "[" + host + "]" : host;
                url += ":" + std::to_string(port);

                Router router;
                router.set_public_url(public_url);
                router.set_write_origins(flags->cors_origins);
                add_operation_routes(router, service, metrics);
                const auto web = std::make_shared<const WebAssets>(flags->web_dir);
                if (!std::filesystem::is_regular_file(std::filesystem::path(flags->web_dir) / "index.html")) {
                    std::fprintf(stderr, "catchment: warning: no map viewer in %s (--web-dir): browsers get a 404 at /; JSON clients are not affected\n",
                                 flags->web_dir.c_str());
                }
                add_feature_routes(router, service, viewer_page(web));
                add_web_routes(router, web);
                const auto fonts = std::make_shared<const FontFiles>(flags->fonts_dir);
                const std::vector<std::string> stacks = fonts->stacks();
                for (const std::string_view font : {tilesets::kLabelFont, tilesets::kLabelFontBold}) {
                    if (std::find(stacks.begin(), stacks.end(), font) == stacks.end()) {
                        std::fprintf(stderr, "catchment: warning: no '%s' glyphs in %s (--fonts-dir): maps draw no labels in it\n",
                                     std::string(font).c_str(), flags->fonts_dir.c_str());
                    }
                }
                add_font_routes(router, fonts);
                add_tile_routes(router, service);
                add_coverage_routes(router, service);
                PlanSettings plan_settings;
                plan_settings.defaults = options;
                // A request names its own what-if: the served plan's baseline and new practices are not its defaults.
                plan_settings.defaults.baseline = nullptr;
                plan_settings.defaults.new_practices.clear();
                plan_settings.tile_maxzoom = flags->maxzoom;
                plan_settings.time_limit = std::chrono::seconds(flags->plan_timeout_s);
                plan_settings.access = access;
                add_plan_routes(router, service, plan_settings);
                const int maxzoom = flags->maxzoom;
                const ReloadFunction reload = one_reload_at_a_time(
                    [&service, dataset, planning, options, maxzoom, &prerender, &storing, &server, sources] {
                    return reload_state(service, *dataset, *planning, options, maxzoom, prerender, sources, storing,
                                        [&server] { return server.stopping(); });
                });
                add_admin_routes(router, reload, access);
                HangupReloader hangup(reload);
                server.start(router, metrics);
                std::fprintf(stderr, "catchment: listening on %s (loading the dataset; /ready answers 503 until done)%s\n", url.c_str(),
                             access.read_only ? "; read-only: a public address without --token" : "");
                LoadStopDeadline stop_deadline(server, std::chrono::milliseconds(500));  // (ending a process of gigabytes takes time too)
                try {
                    ProgressBar bar;
                    StoppableProgress progress(bar, [&server] { return server.stopping(); });
                    LoadedState loaded = load_state(description, *planning, options, 1, flags->maxzoom, progress, sources,
                                                    [&progress] { progress.checkpoint(); });
                    const std::string name = loaded.state->dataset->name.empty() ? "dataset" : loaded.state->dataset->name;
                    const std::string id = loaded.state->stored_id;
                    stop_deadline.loaded();
                    service.install(loaded.state);
                    prerender.start();
                    progress.end();
                    std::fprintf(stderr, "catchment: serving %s on %s (plan %s, %s)\n", name.c_str(), url.c_str(), id.c_str(),
                                 loaded.planned ? "planned now" : ("restored from " + loaded.restored_from).c_str());
                    storing.start(loaded);
                } catch (const LoadStopped&) {
                    stop_deadline.loaded();
                    server.wait();
                    std::fprintf(stderr, "\ncatchment: stopped while loading the dataset\n");
                    return kExitOk;
                } catch (...) {
                    stop_deadline.loaded();
                    server.stop();
                    server.wait();
                    throw;
                }
                server.wait();
                std::fprintf(stderr, "catchment: stopped\n");
                return kExitOk;
            }};
}

}  // namespace server
