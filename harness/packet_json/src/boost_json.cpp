// Compiles Boost.JSON into this library (its header-only mode), so no Boost library is linked.
#include <boost/json/src.hpp>
