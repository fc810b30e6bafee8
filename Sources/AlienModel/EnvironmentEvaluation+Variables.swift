extension EnvironmentEvaluation {
    /// The shell variables by name: the names and their variables in two arrays (in the order
    /// they were first set), found through an open-addressing table of positions.
    ///
    /// `env` looks names up a few thousand times for a hundred packages; a Dictionary hashes each
    /// name with SipHash every time (~250 instructions for a 12-byte name). Here a name made of
    /// ASCII bytes is hashed with FNV-1a over its bytes (~40), which is exact for such names:
    /// two ASCII strings are equal exactly when their bytes are. A name with any other byte
    /// could equal another one canonically (`"\u{212A}"` is `"K"`): once such a name is set, the
    /// table hashes every name with `String.hashValue`, which respects that equality; one looked
    /// up before is searched for by `==` over all names.
    public struct Variables: Sendable {
        /// The names, each once, in the order they were first set.
        public private(set) var names: [String] = []
        /// `values[i]` is the variable named `names[i]`.
        public internal(set) var values: [Variable] = []
        private var hashes: [UInt64] = []
        /// 0 for a free slot, else a position in `names` plus one; a power of two long, at most
        /// half full.
        private var slots: [Int32]
        /// Whether every name set so far is ASCII (hashes are FNV-1a of the bytes), else hashes
        /// are `String.hashValue`.
        private var asciiNames = true

        public init(minimumCapacity: Int = 0) {
            slots = [Int32](repeating: 0, count: Self.slotCount(for: minimumCapacity))
            names.reserveCapacity(minimumCapacity)
            values.reserveCapacity(minimumCapacity)
            hashes.reserveCapacity(minimumCapacity)
        }

        public var count: Int { names.count }

        /// The variables as a dictionary.
        public var dictionary: [String: Variable] {
            var result: [String: Variable] = [:]
            result.reserveCapacity(names.count)
            for (name, variable) in zip(names, values) { result[name] = variable }
            return result
        }

        /// The variable named `name`.
        public subscript(name: String) -> Variable? {
            index(of: name).map { values[$0] }
        }

        /// Where the variable named `name` is in `names` and `values`.
        public func index(of name: String) -> Int? {
            guard let hash = hash(name) else {
                // A name with a non-ASCII byte while all names are ASCII: it may still equal one.
                return names.firstIndex(of: name)
            }
            return find(name, hash).found
        }

        /// Sets the variable named `name` (a new name goes last).
        public mutating func set(_ name: String, _ variable: Variable) {
            var hash = self.hash(name)
            if hash == nil {
                rehashByStringHash()
                hash = self.hash(name)
            }
            let (slot, found) = find(name, hash!)
            if let found {
                values[found] = variable
                return
            }
            names.append(name)
            values.append(variable)
            hashes.append(hash!)
            slots[slot] = Int32(names.count)
            if names.count * 2 > slots.count { rebuild(slotCount: slots.count * 2) }
        }

        /// Room for `count` more names without growing.
        public mutating func reserveCapacity(_ count: Int) {
            let total = names.count + count
            names.reserveCapacity(total)
            values.reserveCapacity(total)
            hashes.reserveCapacity(total)
            let wanted = Self.slotCount(for: total)
            if wanted > slots.count { rebuild(slotCount: wanted) }
        }

        static func slotCount(for count: Int) -> Int {
            var size = 16
            while size < count * 2 { size *= 2 }
            return size
        }

        /// The name's hash in the table's current scheme; nil when the table hashes bytes and
        /// the name is not ASCII.
        private func hash(_ name: String) -> UInt64? {
            guard asciiNames else { return UInt64(UInt(bitPattern: name.hashValue)) }
            var name = name
            return name.withUTF8 { bytes -> UInt64? in
                // FNV-1a's multiply over eight bytes at a time, the tail byte by byte.
                var hash: UInt64 = 0xCBF2_9CE4_8422_2325
                var seen: UInt64 = 0
                var offset = 0
                if let base = bytes.baseAddress {
                    let raw = UnsafeRawPointer(base)
                    while bytes.count - offset >= 8 {
                        let word = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                        seen |= word
                        hash = (hash ^ word) &* 0x100_0000_01B3
                        hash ^= hash >> 29
                        offset += 8
                    }
                }
                while offset < bytes.count {
                    seen |= UInt64(bytes[offset])
                    hash = (hash ^ UInt64(bytes[offset])) &* 0x100_0000_01B3
                    offset += 1
                }
                return seen & 0x8080_8080_8080_8080 == 0 ? hash : nil
            }
        }

        /// The slot holding the name (and its position), or the free slot where it would go.
        private func find(_ name: String, _ hash: UInt64) -> (slot: Int, found: Int?) {
            let mask = slots.count - 1
            var slot = Int(truncatingIfNeeded: hash ^ (hash >> 29)) & mask
            while true {
                let held = Int(slots[slot])
                if held == 0 { return (slot, nil) }
                if hashes[held - 1] == hash, names[held - 1] == name { return (slot, held - 1) }
                slot = (slot + 1) & mask
            }
        }

        private mutating func rebuild(slotCount: Int) {
            slots = [Int32](repeating: 0, count: slotCount)
            let mask = slotCount - 1
            for (offset, hash) in hashes.enumerated() {
                var slot = Int(truncatingIfNeeded: hash ^ (hash >> 29)) & mask
                while slots[slot] != 0 { slot = (slot + 1) & mask }
                slots[slot] = Int32(offset + 1)
            }
        }

        /// From byte hashes to `String.hashValue` (a non-ASCII name is being set).
        private mutating func rehashByStringHash() {
            asciiNames = false
            hashes = names.map { UInt64(UInt(bitPattern: $0.hashValue)) }
            rebuild(slotCount: slots.count)
        }
    }
}
