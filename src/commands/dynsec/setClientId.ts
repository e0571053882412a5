import {dynsecCommand} from '../../base/dynsec-command-factory.js'

export default dynsecCommand('setClientId')
