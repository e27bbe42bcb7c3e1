// POST /admin/reload with a fake reload function, and the bearer-token check.
#include "server/api/routes.hpp"

#include <boost/json/parse.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>

using namespace server;

namespace {

Request post(const std::string& target, const std::string& authorization = "") {
    Request request{http::verb::post, target, 11};
    request.set(http::field::host, "localhost");
    request.set(http::field::content_type, "application/json");
    if (!authorization.empty()) request.set(http::field::authorization, authorization);
    request.prepare_payload();
    return request;
}

boost::json::value body_of(const Response& response) { return boost::json::parse(body_text(response)); }

/// A stand-in for the real reload: bumps a version, or fails with a message keeping it.
struct FakeReload {
    std::atomic<std::uint64_t> version{1};
    bool fail = false;
    ReloadResult operator()() {
        ReloadResult result;
        if (fail) {
            result.outcome = ReloadResult::Outcome::failed;
            result.version = version;
            result.message = "areas.csv row 3: bad geometry";
            return result;
        }
        result.outcome = ReloadResult::Outcome::reloaded;
        result.version = ++version;
        result.seconds = 0.25;
        return result;
    }
};

}  // namespace

TEST_CASE("POST /admin/reload answers the new version, or the failure keeping the old one", "[admin]") {
    auto fake = std::make_shared<FakeReload>();
    Router router;
    add_admin_routes(router, one_reload_at_a_time([fake] { return (*fake)(); }), WriteAccess{});

    const Response ok = router.handle(post("/admin/reload"));
    CHECK(ok.result() == http::status::ok);
    CHECK(body_of(ok).at("status") == "reloaded");
    CHECK(body_of(ok).at("version") == 2);
    CHECK(body_of(ok).at("seconds").as_double() == Approx(0.25));
    CHECK(ok[http::field::access_control_allow_origin].empty());  // a write: CORS only for allowed origins (see the router)

    fake->fail = true;
    const Response failed = router.handle(post("/admin/reload"));
    CHECK(failed.result() == http::status::unprocessable_entity);
    CHECK(body_of(failed).at("code") == "ReloadFailed");
    CHECK(body_of(failed).at("description") == "areas.csv row 3: bad geometry");
    CHECK(fake->version == 2);

    Request get{http::verb::get, "/admin/reload", 11};
    CHECK(router.handle(get).result() == http::status::method_not_allowed);
}

TEST_CASE("POST /admin/reload needs the bearer token when one is set", "[admin]") {
    auto fake = std::make_shared<FakeReload>();
    Router router;
    add_admin_routes(router, one_reload_at_a_time([fake] { return (*fake)(); }), WriteAccess{"secret"});

    for (const std::string authorization : {"", "Bearer wrong", "Bearer secre", "Bearer secrets", "Basic secret", "secret"}) {
        INFO(authorization);
        const Response denied = router.handle(post("/admin/reload", authorization));
        CHECK(denied.result() == http::status::unauthorized);
        CHECK(body_of(denied).at("code") == "Unauthorized");
        CHECK(denied[http::field::www_authenticate] == "Bearer");
    }
    CHECK(fake->version == 1);

    const Response ok = router.handle(post("/admin/reload", "Bearer secret"));
    CHECK(ok.result() == http::status::ok);
    CHECK(body_of(ok).at("version") == 2);
    CHECK(router.handle(post("/admin/reload", "bearer secret")).result() == http::status::ok);
}

TEST_CASE("a second reload while one runs answers 409 ReloadInProgress", "[admin]") {
    std::mutex mutex;
    std::condition_variable changed;
    bool started = false, release = false;
    Router router;
    add_admin_routes(router, one_reload_at_a_time([&] {
                         std::unique_lock<std::mutex> lock(mutex);
                         started = true;
                         changed.notify_all();
                         changed.wait_for(lock, std::chrono::seconds(10), [&] { return release; });
                         ReloadResult result;
                         result.outcome = ReloadResult::Outcome::reloaded;
                         result.version = 2;
                         return result;
                     }),
                     WriteAccess{});
    auto first = std::async(std::launch::async, [&] { return router.handle(post("/admin/reload")); });
    {
        std::unique_lock<std::mutex> lock(mutex);
        REQUIRE(changed.wait_for(lock, std::chrono::seconds(10), [&] { return started; }));
    }
    const Response second = router.handle(post("/admin/reload"));
    CHECK(second.result() == http::status::conflict);
    CHECK(body_of(second).at("code") == "ReloadInProgress");
    {
        std::lock_guard<std::mutex> lock(mutex);
        release = true;
    }
    changed.notify_all();
    REQUIRE(first.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    CHECK(first.get().result() == http::status::ok);
    // Once it has finished, the next one runs.
    CHECK(router.handle(post("/admin/reload")).result() == http::status::ok);
}
