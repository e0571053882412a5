import {profileNameCommand} from '../../base/profile-command.js'

export default profileNameCommand('use')
