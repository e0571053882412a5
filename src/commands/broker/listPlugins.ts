import {brokerCommand} from '../../base/broker-command.js'

export default brokerCommand('listPlugins')
