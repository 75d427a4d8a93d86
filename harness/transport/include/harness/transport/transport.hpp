// The transport module in one include: broker URLs, errors, streams and connect().
#pragma once

#include "harness/transport/connect.hpp"
#include "harness/transport/error.hpp"
#include "harness/transport/stream.hpp"
#include "harness/transport/url.hpp"
