import Testing
@testable import RepositoryServer
