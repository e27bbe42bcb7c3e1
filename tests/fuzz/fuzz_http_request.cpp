// libFuzzer target: raw bytes as an HTTP/1.1 request through Beast's parser (the server's header and
// body limits), the router and every handler of `catchment serve` on the bundled sample. POST /plans
// bodies go through the request parser only: making a plan takes a second, which would starve the
// fuzzer (tests cover plans end to end). A 500, a non-JSON error or a crash is a finding.
#include "fuzz/sample_server.hpp"
#include "server/api/plan_request.hpp"
#include "server/http/http_server.hpp"

#include <boost/beast/http.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace http = boost::beast::http;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::sample_server();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::SampleServer& sample = fuzz::sample_server();
    const server::ServerLimits limits;
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits.header_limit));
    parser.body_limit(limits.body_limit);
    parser.eager(true);
    boost::beast::error_code ec;
    std::size_t used = 0;
    while (used < size && !parser.is_done()) {
        const std::size_t n = parser.put(boost::asio::buffer(data + used, size - used), ec);
        if (ec == http::error::need_more) break;
        if (ec) return 0;  // the server answers 400, 413 or 431 without routing (tests/integration covers those)
        if (n == 0) break;
        used += n;
    }
    if (!parser.is_done()) {
        parser.put_eof(ec);
        if (ec || !parser.is_done()) return 0;
    }
    const server::Request request = parser.release();
    server::Router::Routed routed;
    server::Response response = sample.router.handle(request, routed, false);
    if (routed.deferred) {
        if (routed.name == "create_plan") {
            const auto state = sample.service.current();
            try {
                server::parse_plan_request(request.body(), sample.plan_settings.defaults, *state->dataset);
            } catch (const server::HttpError& refused) {
                if (refused.status() != http::status::bad_request) {
                    std::fprintf(stderr, "fuzz finding: POST /plans refused with %u, not 400\n", static_cast<unsigned>(refused.status()));
                    std::abort();
                }
            }
            return 0;
        }
        response = sample.router.handle_off_io(request, nullptr);
    }
    fuzz::check_response(request, response);
    return 0;
}
