#include "data/plan_record.hpp"

#include "data/errors.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <stdexcept>

namespace data {

namespace {

struct Column {
    const char* name;
    OGRFieldType type;
};
// The snapshot last: a listing reads the columns before it only.
constexpr Column kColumns[] = {{"id", OFTString},          {"title", OFTString},
                               {"created", OFTString},     {"kind", OFTString},
                               {"parameters", OFTString},  {"summary", OFTString},
                               {"dataset_fingerprint", OFTString}, {"options_fingerprint", OFTString},
                               {"format", OFTInteger64},   {"seconds", OFTReal},
                               {"snapshot", OFTBinary}};

[[noreturn]] void fail(const std::string& doing) {
    const char* message = CPLGetLastErrorMsg();
    throw std::runtime_error(doing + ": " + (message != nullptr && *message != '\0' ? message : "no reason given"));
}

int field_index(const OGRFeature& row, const char* name, OGRFieldType type) {
    const int index = row.GetFieldIndex(name);
    if (index < 0) throw std::runtime_error(std::string("the plan record has no column '") + name + "'");
    if (row.GetFieldDefnRef(index)->GetType() != type) {
        throw std::runtime_error(std::string("the plan record's column '") + name + "' is of type " +
                                 OGRFieldDefn::GetFieldTypeName(row.GetFieldDefnRef(index)->GetType()) + ", expected " +
                                 OGRFieldDefn::GetFieldTypeName(type));
    }
    return index;
}

std::string text(const OGRFeature& row, const char* name) {
    const int index = field_index(row, name, OFTString);
    return row.IsFieldSetAndNotNull(index) ? row.GetFieldAsString(index) : "";
}

}  // namespace

bool valid_plan_id(const std::string& id) {
    return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    });
}

void create_plan_record_fields(OGRLayer& table) {
    for (const Column& column : kColumns) {
        OGRFieldDefn definition(column.name, column.type);
        CPLErrorReset();
        if (table.CreateField(&definition) != OGRERR_NONE) fail(std::string("cannot create the plan record's column ") + column.name);
    }
}

void set_plan_record(OGRFeature& row, const PlanRecord& record, const std::string* snapshot) {
    row.SetField("id", record.id.c_str());
    row.SetField("title", record.title.c_str());
    row.SetField("created", record.created.c_str());
    row.SetField("kind", record.kind.c_str());
    row.SetField("parameters", record.parameters.c_str());
    row.SetField("summary", record.summary.c_str());
    row.SetField("dataset_fingerprint", record.dataset_fingerprint.c_str());
    row.SetField("options_fingerprint", record.options_fingerprint.c_str());
    row.SetField("format", static_cast<GIntBig>(record.format));
    row.SetField("seconds", record.seconds);
    if (snapshot != nullptr) {
        if (snapshot->size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
            throw std::runtime_error("the plan snapshot is larger than GDAL's 2 GB limit for a binary field");
        }
        row.SetField(row.GetFieldIndex("snapshot"), static_cast<int>(snapshot->size()), snapshot->data());
    }
}

void write_plan_record(GDALDataset& geopackage, const PlanRecord& record, const std::string& snapshot) {
    CPLErrorReset();
    OGRLayer* table = geopackage.CreateLayer(kPlanRecordTable, nullptr, wkbNone, nullptr);
    if (table == nullptr) fail(std::string("cannot create the ") + kPlanRecordTable + " table");
    create_plan_record_fields(*table);
    OGRFeature row(table->GetLayerDefn());
    set_plan_record(row, record, &snapshot);
    CPLErrorReset();
    if (table->CreateFeature(&row) != OGRERR_NONE) fail("cannot write the plan record");
}

PlanRecord get_plan_record(const OGRFeature& row) {
    PlanRecord record;
    record.id = text(row, "id");
    record.title = text(row, "title");
    record.created = text(row, "created");
    record.kind = text(row, "kind");
    record.parameters = text(row, "parameters");
    record.summary = text(row, "summary");
    record.dataset_fingerprint = text(row, "dataset_fingerprint");
    record.options_fingerprint = text(row, "options_fingerprint");
    const GIntBig format = row.GetFieldAsInteger64(field_index(row, "format", OFTInteger64));
    if (format < 0 || format > std::numeric_limits<std::uint32_t>::max()) throw std::runtime_error("the plan record's format is out of range");
    record.format = static_cast<std::uint32_t>(format);
    record.seconds = row.GetFieldAsDouble(field_index(row, "seconds", OFTReal));
    if (!valid_plan_id(record.id)) throw std::runtime_error("the plan record's id '" + record.id + "' is not a plan id");
    return record;
}

std::optional<std::string> get_plan_snapshot(const OGRFeature& row) {
    const int index = field_index(row, "snapshot", OFTBinary);
    if (!row.IsFieldSetAndNotNull(index)) return std::nullopt;
    int size = 0;
    const GByte* bytes = const_cast<OGRFeature&>(row).GetFieldAsBinary(index, &size);
    return std::string(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(std::max(size, 0)));
}

std::optional<PlanArchive> read_plan_archive(const std::filesystem::path& geopackage, bool with_snapshot) {
    const char* const drivers[] = {"GPKG", nullptr};
    CPLErrorReset();
    GDALDatasetUniquePtr file(GDALDataset::Open(geopackage.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers));
    if (!file) {
        const char* message = CPLGetLastErrorMsg();
        throw InputError({geopackage.string(), {}, {}, {}},
                         std::string("cannot open it as a GeoPackage") + (message != nullptr && *message != '\0' ? std::string(": ") + message : ""));
    }
    OGRLayer* table = file->GetLayerByName(kPlanRecordTable);
    if (table == nullptr) return std::nullopt;
    if (!with_snapshot) table->SetIgnoredFields(std::vector<const char*>{"snapshot", nullptr}.data());
    table->ResetReading();
    const std::unique_ptr<OGRFeature> row(table->GetNextFeature());
    if (!row) throw InputError({geopackage.string(), kPlanRecordTable, {}, {}}, "the plan record table is empty");
    PlanArchive archive;
    try {
        archive.record = get_plan_record(*row);
        if (with_snapshot) {
            auto snapshot = get_plan_snapshot(*row);
            if (!snapshot) throw std::runtime_error("the plan record has no snapshot");
            archive.snapshot = std::move(*snapshot);
        }
    } catch (const std::runtime_error& error) {
        throw InputError({geopackage.string(), kPlanRecordTable, "row 1", {}}, error.what());
    }
    return archive;
}

}  // namespace data
