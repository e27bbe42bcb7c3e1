#pragma once
// The bundled sample, loaded and planned once per fuzzing process, behind the same routes as
// `catchment serve` (the composition in server/cli/serve_command.cpp, without sockets).
#include "server/api/routes.hpp"
#include "server/http/metrics.hpp"
#include "server/http/router.hpp"
#include "server/service/service.hpp"

namespace fuzz {

struct SampleServer {
    server::Service service{64 << 20};
    server::Metrics metrics;
    server::Router router;
    server::PlanSettings plan_settings;
};

/// Loaded on first use; the same object afterwards.
SampleServer& sample_server();

/// Aborts (a finding) when `response` is not what the error boundary promises: a status from 200 to 599
/// other than 500, and for errors a JSON body with "code" and "description".
void check_response(const server::Request& request, const server::Response& response);

}  // namespace fuzz
