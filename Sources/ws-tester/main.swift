import WSTesterCLI
import Foundation
exit(WSTester.runMain())
