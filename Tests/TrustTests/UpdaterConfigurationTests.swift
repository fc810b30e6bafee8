import Testing
import Trust

@Suite struct UpdaterConfigurationTests {
    @Test func defaultsAreThoseOfPythonTUF() {
        let configuration = UpdaterConfiguration()
        #expect(configuration.maxRootRotations == 256)
        #expect(configuration.maxDelegations == 32)
        #expect(configuration.rootMaxLength == 512_000)
        #expect(configuration.timestampMaxLength == 16_384)
        #expect(configuration.snapshotMaxLength == 2_000_000)
        #expect(configuration.targetsMaxLength == 5_000_000)
        #expect(configuration.prefixTargetsWithHash)
    }
}
