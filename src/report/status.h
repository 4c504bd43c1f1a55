#pragma once
/// What a suite tells about its progress, as ninja's Status: the suite calls
/// it, a printer (report/terminal.h) or a test's fake implements it.

#include "check/result.h"
#include "model/topology.h"

namespace testbed {

class SuiteStatus {
  public:
    virtual ~SuiteStatus() = default;
    /// A scenario run began.
    virtual void started(const Topology& scenario) = 0;
    /// A scenario run ended with this report.
    virtual void done(const RunReport& report) = 0;
    /// Time passed while waiting (a live display redraws its clock).
    virtual void tick() = 0;
    /// Every run ended (or the suite was stopped).
    virtual void finish() = 0;
};

}  // namespace testbed
