Section: libdevel
Priority: optional
Standards-Version: 3.9.2
Package: catchment-boost-dev-shim
Version: 1.81.0
Maintainer: catchment <catchment@localhost>
Depends: libboost1.81-dev
Provides: libboost-dev (= 1.81.0)
Conflicts: libboost-dev
Replaces: libboost-dev
Architecture: all
Description: Lets libgdal-dev (via libkml-dev) install beside Boost 1.81
 libkml-dev depends on the unversioned libboost-dev, whose only candidate in
 Debian 12 pulls libboost1.74-dev, which conflicts with libboost1.81-dev.
