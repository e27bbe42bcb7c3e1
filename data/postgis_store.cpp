// The PostgreSQL/PostGIS plan store, through GDAL's PG driver: one row per plan in `catchment_plans`
// (the record and the snapshot), and the plan's layers as rows of `catchment_<layer>` tables tagged
// with `plan_id`, so that QGIS can open every stored plan from the database. A plan is written and
// removed in one transaction, and every call opens its own connection: a database that goes away and
// comes back is used again without a restart.
#include "data/errors.hpp"
#include "data/plan_store.hpp"
#include "data/plan_writer.hpp"
#include "data/vector_writer.hpp"
#include "geo/output_layers.hpp"
#include "geo/plan_snapshot.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <regex>

namespace data {

namespace {

constexpr const char* kPlansTable = "catchment_plans";
constexpr const char* kLayerPrefix = "catchment_";
constexpr const char* kPlanIdField = "plan_id";

/// GDAL's last message on one line (libpq's span several).
std::string last_gdal_error(const std::string& fallback = "no reason given") {
    const char* message = CPLGetLastErrorMsg();
    std::string text = message != nullptr && *message != '\0' ? std::string(message) : fallback;
    text = std::regex_replace(text, std::regex(R"(\s*\n\s*)"), "; ");
    while (!text.empty() && (text.back() == ';' || text.back() == ' ')) text.pop_back();
    return text;
}

/// The layers a plan is stored as (those of a plan file; core catchments only for a core-method plan).
std::vector<const geo::LayerSchema*> stored_layers(const geo::Plan& plan) {
    std::vector<const geo::LayerSchema*> out;
    for (const geo::LayerSchema* layer : geo::output_layers(geo::in_files)) {
        if (layer->id == "core_catchments" && plan.core_catchments.empty()) continue;
        out.push_back(layer);
    }
    return out;
}

/// Rolls back unless committed.
class Transaction {
public:
    explicit Transaction(GDALDataset& db) : db_(db) {
        CPLErrorReset();
        if (db_.StartTransaction(TRUE) != OGRERR_NONE) throw PlanStoreError("cannot start a transaction: " + last_gdal_error());
    }
    ~Transaction() {
        if (!done_) db_.RollbackTransaction();
    }
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit() {
        CPLErrorReset();
        if (db_.CommitTransaction() != OGRERR_NONE) throw PlanStoreError("cannot commit: " + last_gdal_error());
        done_ = true;
    }

private:
    GDALDataset& db_;
    bool done_ = false;
};

class PostgisStore final : public PlanStore {
public:
    explicit PostgisStore(std::string connection) : connection_(std::move(connection)) {
        const auto db = open();
        plans_table(*db);  // created on first use
    }

    std::string location() const override {
        // Never the password: the location goes into logs and GET /plans.
        return std::regex_replace(connection_, std::regex(R"(password\s*=\s*('[^']*'|\S+))", std::regex::icase), "password=***");
    }

    void put(const PlanRecord& record, const geo::Dataset& dataset, const geo::Plan& plan, const std::function<bool()>& cancelled) override {
        if (!valid_plan_id(record.id)) throw PlanStoreError("'" + record.id + "' is not a plan id");
        const std::string snapshot = geo::encode_plan(plan);
        const auto db = open();
        OGRLayer& plans = plans_table(*db);
        OGRSpatialReference crs;
        crs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        if (crs.SetFromUserInput(dataset.working_crs.c_str()) != OGRERR_NONE) throw PlanStoreError("unknown working CRS " + dataset.working_crs);
        const GeosToOgr to_ogr(*dataset.geos);
        std::vector<std::pair<const geo::LayerSchema*, OGRLayer*>> tables;
        for (const geo::LayerSchema* layer : stored_layers(plan)) tables.emplace_back(layer, &layer_table(*db, layer_spec(*layer), crs));

        Transaction transaction(*db);
        delete_plan(*db, record.id);
        for (const auto& [layer, table] : tables) {
            if (cancelled && cancelled()) throw WriteCancelled{};
            const LayerSpec spec = layer_spec(*layer);
            const geo::LayerFeatures features = geo::layer_features(*layer, dataset, plan);
            OGRFeatureDefn* definition = table->GetLayerDefn();
            std::vector<int> index;
            for (const FieldSpec& field : spec.fields) index.push_back(definition->GetFieldIndex(field.name.c_str()));
            const int plan_id = definition->GetFieldIndex(kPlanIdField);
            for (std::size_t f = 0; f < features.features.size(); ++f) {
                if (cancelled && f % 256 == 0 && cancelled()) throw WriteCancelled{};
                const geo::LayerFeature& feature = features.features[f];
                OGRFeature row(definition);
                row.SetField(plan_id, record.id.c_str());
                for (std::size_t i = 0; i < spec.fields.size(); ++i) set_field(row, index[i], spec.fields[i], feature.values[i]);
                if (auto geometry = to_ogr(feature.geometry, spec.geometry_type)) row.SetGeometryDirectly(geometry.release());
                CPLErrorReset();
                if (table->CreateFeature(&row) != OGRERR_NONE) throw PlanStoreError("cannot write to " + std::string(table->GetName()) + ": " + last_gdal_error());
            }
        }
        OGRFeature row(plans.GetLayerDefn());
        set_plan_record(row, record, &snapshot);
        CPLErrorReset();
        if (plans.CreateFeature(&row) != OGRERR_NONE) throw PlanStoreError(std::string("cannot write to ") + kPlansTable + ": " + last_gdal_error());
        transaction.commit();
    }

    PlanListing list() override {
        PlanListing out;
        const auto db = open();
        OGRLayer& plans = plans_table(*db);
        plans.SetIgnoredFields(std::vector<const char*>{"snapshot", nullptr}.data());
        plans.SetAttributeFilter(nullptr);
        plans.ResetReading();
        for (std::unique_ptr<OGRFeature> row(plans.GetNextFeature()); row; row.reset(plans.GetNextFeature())) {
            try {
                out.plans.push_back(get_plan_record(*row));
            } catch (const std::runtime_error& bad) {
                out.problems.push_back(std::string(kPlansTable) + " row " + std::to_string(row->GetFID()) + ": " + bad.what());
            }
        }
        std::sort(out.plans.begin(), out.plans.end(), [](const PlanRecord& a, const PlanRecord& b) {
            return a.created != b.created ? a.created < b.created : a.id < b.id;
        });
        return out;
    }

    std::optional<PlanArchive> get(const std::string& id) override {
        if (!valid_plan_id(id)) return std::nullopt;
        const auto db = open();
        const auto row = find_row(plans_table(*db), id, true);
        if (!row) return std::nullopt;
        try {
            PlanArchive archive{get_plan_record(*row), {}};
            auto snapshot = get_plan_snapshot(*row);
            if (!snapshot) throw std::runtime_error("it has no snapshot");
            archive.snapshot = std::move(*snapshot);
            return archive;
        } catch (const std::runtime_error& bad) {
            throw PlanStoreError(std::string(kPlansTable) + ": plan '" + id + "': " + bad.what());
        }
    }

    bool contains(const std::string& id) override {
        if (!valid_plan_id(id)) return false;
        const auto db = open();
        return find_row(plans_table(*db), id, false) != nullptr;
    }

    bool remove(const std::string& id) override {
        if (!valid_plan_id(id)) return false;
        const auto db = open();
        if (!find_row(plans_table(*db), id, false)) return false;
        Transaction transaction(*db);
        delete_plan(*db, id);
        transaction.commit();
        return true;
    }

    std::optional<std::filesystem::path> file(const std::string&) const override { return std::nullopt; }

private:
    GDALDatasetUniquePtr open() const {
        const char* const drivers[] = {"PostgreSQL", nullptr};
        CPLErrorReset();
        GDALDatasetUniquePtr db(GDALDataset::Open(connection_.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE, drivers));
        if (!db) throw PlanStoreError("cannot connect to " + location() + ": " + last_gdal_error());
        return db;
    }

    static OGRLayer& plans_table(GDALDataset& db) {
        if (OGRLayer* table = db.GetLayerByName(kPlansTable)) return *table;
        CPLStringList options;
        options.SetNameValue("FID", "fid");
        CPLErrorReset();
        OGRLayer* table = db.CreateLayer(kPlansTable, nullptr, wkbNone, options.List());
        if (table == nullptr) throw PlanStoreError(std::string("cannot create ") + kPlansTable + ": " + last_gdal_error());
        try {
            create_plan_record_fields(*table);
        } catch (const std::runtime_error& error) {
            throw PlanStoreError(error.what());
        }
        execute(db, std::string("CREATE UNIQUE INDEX IF NOT EXISTS catchment_plans_id ON ") + kPlansTable + " (id)");
        return *table;
    }

    /// The table of one layer, created (or given the fields a newer catchment added) as needed.
    static OGRLayer& layer_table(GDALDataset& db, const LayerSpec& spec, OGRSpatialReference& crs) {
        const std::string name = kLayerPrefix + spec.name;
        OGRLayer* table = db.GetLayerByName(name.c_str());
        if (table == nullptr) {
            CPLStringList options;
            options.SetNameValue("FID", "fid");
            options.SetNameValue("GEOMETRY_NAME", "geom");
            CPLErrorReset();
            table = db.CreateLayer(name.c_str(), &crs, spec.geometry_type, options.List());
            if (table == nullptr) throw PlanStoreError("cannot create " + name + ": " + last_gdal_error());
            OGRFieldDefn plan_id(kPlanIdField, OFTString);
            if (table->CreateField(&plan_id) != OGRERR_NONE) throw PlanStoreError("cannot create " + name + "." + kPlanIdField + ": " + last_gdal_error());
            execute(db, "CREATE INDEX IF NOT EXISTS " + name + "_plan_id ON " + name + " (" + kPlanIdField + ")");
        }
        for (const FieldSpec& field : spec.fields) {
            if (table->GetLayerDefn()->GetFieldIndex(field.name.c_str()) >= 0) continue;
            CPLErrorReset();
            if (table->CreateField(field_definition(field).get()) != OGRERR_NONE) {
                throw PlanStoreError("cannot create " + name + "." + field.name + ": " + last_gdal_error());
            }
        }
        return *table;
    }

    static std::unique_ptr<OGRFeature> find_row(OGRLayer& plans, const std::string& id, bool with_snapshot) {
        if (!with_snapshot) plans.SetIgnoredFields(std::vector<const char*>{"snapshot", nullptr}.data());
        plans.SetAttributeFilter(("id = '" + id + "'").c_str());  // (a checked plan id: letters, digits, '-', '_')
        plans.ResetReading();
        std::unique_ptr<OGRFeature> row(plans.GetNextFeature());
        plans.SetAttributeFilter(nullptr);
        return row;
    }

    /// Deletes plan `id`'s rows from the plans table and every layer table there is.
    static void delete_plan(GDALDataset& db, const std::string& id) {
        execute(db, std::string("DELETE FROM ") + kPlansTable + " WHERE id = '" + id + "'");
        for (const geo::LayerSchema* layer : geo::output_layers(geo::in_files)) {
            const std::string name = kLayerPrefix + std::string(layer->id);
            if (db.GetLayerByName(name.c_str()) != nullptr) execute(db, "DELETE FROM " + name + " WHERE " + kPlanIdField + " = '" + id + "'");
        }
    }

    static void execute(GDALDataset& db, const std::string& sql) {
        CPLErrorReset();
        OGRLayer* result = db.ExecuteSQL(sql.c_str(), nullptr, nullptr);
        if (result != nullptr) db.ReleaseResultSet(result);
        if (CPLGetLastErrorType() == CE_Failure) throw PlanStoreError(sql + ": " + last_gdal_error());
    }

    std::string connection_;
};

}  // namespace

std::unique_ptr<PlanStore> open_postgis_store(const std::string& connection) {
    try {
        return std::make_unique<PostgisStore>(connection);
    } catch (const PlanStoreError& error) {
        throw InputError({"--store", {}, {}, {}}, std::string("the PostgreSQL plan store cannot be used: ") + error.what());
    }
}

}  // namespace data
