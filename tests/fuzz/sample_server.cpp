#include "fuzz/sample_server.hpp"

#include "data/description.hpp"
#include "data/loader.hpp"
#include "server/api/web_assets.hpp"

#include <boost/json/parse.hpp>

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace fuzz {

namespace {

[[noreturn]] void finding(const server::Request& request, const server::Response& response, const char* what) {
    std::fprintf(stderr, "fuzz finding: %s\n  request: %s %s\n  status %u\n", what, std::string(request.method_string()).c_str(),
                 std::string(request.target()).c_str(), response.result_int());
    std::abort();
}

std::unique_ptr<SampleServer> load() {
    auto out = std::make_unique<SampleServer>();
    const data::DatasetDescription description =
        data::describe(data::read_description(std::filesystem::path(CATCHMENT_SOURCE_DIR) / "data" / "sample"));
    data::Progress quiet;
    auto dataset = std::make_shared<const geo::Dataset>(data::load_dataset(description, quiet));
    geo::PlanOptions options;
    options.constraint_field = "lad11cd";
    out->service.install(server::make_state(dataset, options, 1, 16));
    out->plan_settings.defaults = options;
    server::Router& router = out->router;
    server::add_operation_routes(router, out->service, out->metrics);
    const auto web = std::make_shared<const server::WebAssets>(std::string(CATCHMENT_SOURCE_DIR) + "/server/web");
    server::add_feature_routes(router, out->service, server::viewer_page(web));
    server::add_web_routes(router, web);
    server::add_tile_routes(router, out->service);
    server::add_coverage_routes(router, out->service);
    server::add_plan_routes(router, out->service, out->plan_settings);
    server::add_admin_routes(
        router, [] { return server::ReloadResult{server::ReloadResult::Outcome::busy, 1, 0, "fuzzing"}; }, server::WriteAccess{});
    return out;
}

}  // namespace

SampleServer& sample_server() {
    static const std::unique_ptr<SampleServer> server = load();
    return *server;
}

void check_response(const server::Request& request, const server::Response& response) {
    const unsigned status = response.result_int();
    if (status < 200 || status > 599) finding(request, response, "a status outside 200..599");
    if (status == 500) finding(request, response, "500: an exception escaped a handler");
    if (status < 400 || response.body().streamed() || request.method() == server::http::verb::head ||
        response.count(server::http::field::content_encoding) > 0) {
        return;
    }
    std::string body;
    for (const auto& piece : response.body().pieces()) body.append(piece.data, piece.size);
    boost::system::error_code ec;
    const auto json = boost::json::parse(body, ec);
    if (ec || !json.is_object() || !json.as_object().contains("code") || !json.as_object().contains("description")) {
        finding(request, response, "an error without a JSON {\"code\",\"description\"} body");
    }
}

}  // namespace fuzz
