#pragma once
// The hand-made two-squares plan (plan_fixture.hpp) as the state a Service serves, for handler tests.
#include "server/service/feature_collections.hpp"
#include "server/service/service.hpp"

#include "plan_fixture.hpp"

#include <memory>
#include <utility>

namespace service_fixture {

/// A state holding `example`'s dataset and plan as dataset version `version`.
inline std::shared_ptr<server::ServiceState> state_of(plan_fixture::Example example, std::uint64_t version = 1) {
    auto state = std::make_shared<server::ServiceState>();
    state->version = version;
    state->dataset = std::make_shared<const geo::Dataset>(std::move(example.dataset));
    state->plan = std::move(example.plan);
    state->collections = std::make_shared<const std::vector<server::CollectionInfo>>(server::feature_collections(*state->dataset));  // as make_state does
    return state;
}

}  // namespace service_fixture
