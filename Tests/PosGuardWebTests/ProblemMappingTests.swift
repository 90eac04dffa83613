import PosGuardStorage
import Testing

@testable import PosGuardWeb

/// Errors from below the web layer as clients see them.
@Suite("Problem mapping")
struct ProblemMappingTests {
    @Test func aDuplicateWrittenByARacingRequestIsAConflict() {
        let problem = ProblemMiddleware<AppRequestContext>.problem(for: Database.DuplicateEntry())
        #expect(problem.status == .conflict && problem.type == "urn:posguard:problem:conflict")
        #expect(problem.detail?.contains("nothing was changed") == true)
    }
}
